"""Mutants of keras_subclass (ch6_keras): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

SUBCLASS_LAYERS = '''        self.conv1 = tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same")
        self.conv2 = tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same")
        self.conv3 = tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same")
        self.pool = tf.keras.layers.MaxPool2D()
        self.relu = tf.keras.layers.ReLU()
        self.flatten = tf.keras.layers.Flatten()
'''
SUBCLASS_LAYERS_NESTED = '''        blocks = []
        for _ in range(3):
            blocks += [
                tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
                tf.keras.layers.MaxPool2D(pool_size=2),
            ]
        self.features = tf.keras.Sequential([*blocks, tf.keras.layers.Flatten()])
'''
SUBCLASS_CALL = '''        x = self.relu(self.pool(self.conv1(x)))
        x = self.relu(self.pool(self.conv2(x)))
        x = self.relu(self.pool(self.conv3(x)))
        x = self.flatten(x)
'''
SUBCLASS_CALL_WITHOUT_RELU = SUBCLASS_CALL.replace("x = self.relu(self.pool(", "x = self.pool(").replace(")))\n", "))\n")

MUTANTS = [
    wrong("__call__ overridden instead of call (E5)",
          [("    def call(self, x: tf.Tensor, training: bool | None = None) -> tf.Tensor:\n        # TODO: Apply conv",
            "    def __call__(self, x: tf.Tensor, training: bool | None = None) -> tf.Tensor:\n        # TODO: Apply conv")],
          check="models_implement_call", message="overrides __call__"),
    wrong("dropout always on",
          [("x = self.dropout(self.fc1(x), training=training)", "x = self.dropout(self.fc1(x), training=True)"),
           ("x = self.dropout(self.fc2(x), training=training)", "x = self.dropout(self.fc2(x), training=True)")],
          check="cnn_output_matches_reference_at_inference", message="Dropout is still active at test time"),
    wrong("dropout never on",
          [("x = self.dropout(self.fc1(x), training=training)", "x = self.dropout(self.fc1(x), training=False)"),
           ("x = self.dropout(self.fc2(x), training=training)", "x = self.dropout(self.fc2(x), training=False)")],
          check="cnn_dropout_is_active_in_training", message="training=training"),
    wrong("CNN without the final softmax",
          [('self.fc3 = tf.keras.layers.Dense(units=10, activation="softmax")',
            "self.fc3 = tf.keras.layers.Dense(units=10)")],
          check="cnn_output_matches_reference_at_inference", message="do not sum to 1"),
    wrong("MLP skips fc2",
          [("return self.fc3(self.fc2(self.fc1(x)))", "return self.fc3(self.fc1(x))")],
          check="mlp_output_matches_reference_with_same_weights", message="__init__ creates self.fc2, but call() never calls it"),
    correct("tf.nn.relu functions in call",
            [("x = self.relu(self.pool(self.conv1(x)))", "x = tf.nn.relu(self.pool(self.conv1(x)))"),
             ("x = self.relu(self.pool(self.conv2(x)))", "x = tf.nn.relu(self.pool(self.conv2(x)))"),
             ("x = self.relu(self.pool(self.conv3(x)))", "x = tf.nn.relu(self.pool(self.conv3(x)))")]),
    correct("nested Sequential feature block, dropout left to Keras's training flag",
            [(SUBCLASS_LAYERS, SUBCLASS_LAYERS_NESTED),
             (SUBCLASS_CALL, "        x = self.features(x)\n"),
             ("x = self.dropout(self.fc1(x), training=training)", "x = self.dropout(self.fc1(x))"),
             ("x = self.dropout(self.fc2(x), training=training)", "x = self.dropout(self.fc2(x))")]),
    wrong("Dropout(0.5) instead of Dropout(dropout_rate)",
          [("self.dropout = tf.keras.layers.Dropout(dropout_rate)", "self.dropout = tf.keras.layers.Dropout(0.5)")],
          check="cnn_dropout_is_active_in_training", message="Pass the dropout_rate argument on"),
    wrong("no ReLU after the poolings",
          [(SUBCLASS_CALL, SUBCLASS_CALL_WITHOUT_RELU)],
          check="cnn_output_matches_reference_at_inference", message="without a ReLU after each pooling"),
    wrong("fc1 called twice",
          [("return self.fc3(self.fc2(self.fc1(x)))", "return self.fc3(self.fc1(self.fc1(x)))")],
          check="models_implement_call", message="fixes its input size on its first call", status="error"),
    wrong("dropout created but never called",
          [("x = self.dropout(self.fc1(x), training=training)", "x = self.fc1(x)"),
           ("x = self.dropout(self.fc2(x), training=training)", "x = self.fc2(x)")],
          check="cnn_dropout_is_active_in_training", message="__init__ creates self.dropout, but call() never calls it"),
    wrong("flatten left out of call",
          [("        x = self.flatten(x)\n", "")],
          check="models_implement_call", message="Add Flatten()"),
    correct("dropout only under `if training:`",
            [("x = self.dropout(self.fc1(x), training=training)",
              "x = self.fc1(x)\n        if training:\n            x = self.dropout(x, training=True)"),
             ("x = self.dropout(self.fc2(x), training=training)",
              "x = self.fc2(x)\n        if training:\n            x = self.dropout(x, training=True)")]),
]
