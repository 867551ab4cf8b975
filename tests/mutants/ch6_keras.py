"""Mutants for chapter ch6_keras (Keras models, compile/fit, a custom train_step, checkpoints)."""

from tests.mutants import correct, wrong

SEQUENTIAL_CONVS = '''            layers.Conv2D(filters=32, kernel_size=3, padding="same"),
            layers.MaxPool2D(),
            layers.ReLU(),
            layers.Conv2D(filters=32, kernel_size=3, padding="same"),
            layers.MaxPool2D(),
            layers.ReLU(),
            layers.Conv2D(filters=32, kernel_size=3, padding="same"),
            layers.MaxPool2D(),
            layers.ReLU(),
'''
SEQUENTIAL_CONVS_WITH_ACTIVATION = '''            layers.Conv2D(filters=32, kernel_size=3, padding="same", activation="relu"),
            layers.MaxPool2D(),
            layers.Conv2D(filters=32, kernel_size=3, padding="same", activation="relu"),
            layers.MaxPool2D(),
            layers.Conv2D(filters=32, kernel_size=3, padding="same", activation="relu"),
            layers.MaxPool2D(),
'''
SEQUENTIAL_MLP = '''    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(8,)),
            tf.keras.layers.Dense(units=100, activation="relu"),
            tf.keras.layers.Dense(units=100, activation="relu"),
            tf.keras.layers.Dense(units=1),
        ]
    )
'''
SEQUENTIAL_MLP_BY_ADD = '''    model = tf.keras.Sequential()
    model.add(tf.keras.layers.Dense(100))
    model.add(tf.keras.layers.ReLU())
    model.add(tf.keras.layers.Dense(100))
    model.add(tf.keras.layers.Activation("relu"))
    model.add(tf.keras.layers.Dense(1))
    return model
'''
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
SEQUENTIAL_CONVS_AVERAGE = SEQUENTIAL_CONVS.replace("layers.MaxPool2D()", "layers.AveragePooling2D()")
SEQUENTIAL_MLP_LINEAR = SEQUENTIAL_MLP.replace(', activation="relu"', "")
SUBCLASS_CALL_WITHOUT_RELU = SUBCLASS_CALL.replace("x = self.relu(self.pool(", "x = self.pool(").replace(")))\n", "))\n")
EPOCH_MEAN = '''        batch_losses = [float(train_step(images, labels)) for images, labels in dataset]
        epoch_losses.append(sum(batch_losses) / len(batch_losses))
'''

MUTANTS = [
    # keras_sequential
    wrong("keras_sequential", "Dense(unit=...) as in the manual",
          [("tf.keras.layers.Dense(units=1),", "tf.keras.layers.Dense(unit=1),")],
          check="mlp_layers_match_reference", message="Dense's argument is units="),
    wrong("keras_sequential", "tf.keras.Model([...]) for the Sequential API",
          [("    return tf.keras.Sequential(\n        [\n            tf.keras.Input(shape=(8,)),",
            "    return tf.keras.Model(\n        [\n            tf.keras.Input(shape=(8,)),")],
          check="mlp_layers_match_reference", message="tf.keras.Model() takes no list of layers"),
    wrong("keras_sequential", "ReLU on the regression output",
          [("tf.keras.layers.Dense(units=1),", 'tf.keras.layers.Dense(units=1, activation="relu"),')],
          check="mlp_output_matches_reference_with_same_weights", message="never negative"),
    wrong("keras_sequential", "first conv without padding='same'",
          [('4.\n            layers.Conv2D(filters=32, kernel_size=3, padding="same"),',
            "4.\n            layers.Conv2D(filters=32, kernel_size=3),")],
          check="cnn_layers_match_reference", message="padding='same'"),
    wrong("keras_sequential", "CNN without the final softmax",
          [('layers.Dense(units=10, activation="softmax"),', "layers.Dense(units=10),")],
          check="cnn_output_matches_reference_with_same_weights", message="do not sum to 1"),
    correct("keras_sequential", "ReLU as the conv's activation before pooling",
            [(SEQUENTIAL_CONVS, SEQUENTIAL_CONVS_WITH_ACTIVATION)]),
    correct("keras_sequential", "MLP built with add() and ReLU layers, no Input",
            [(SEQUENTIAL_MLP, SEQUENTIAL_MLP_BY_ADD)]),

    # keras_functional
    wrong("keras_functional", "normalisation skipped (E4)",
          [("    x = layers.Rescaling(1 / 255)(inputs)\n",
            "    normalized = layers.Rescaling(1 / 255)(inputs)\n    x = inputs\n")],
          check="cnn_normalisation_feeds_the_first_conv", message="erratum E4"),
    wrong("keras_functional", "normalisation skipped, seen in the outputs",
          [("    x = layers.Rescaling(1 / 255)(inputs)\n",
            "    normalized = layers.Rescaling(1 / 255)(inputs)\n    x = inputs\n")],
          check="cnn_output_matches_reference_with_same_weights", message="does not reach the first Conv2D"),
    wrong("keras_functional", "ends in ReLU as the manual's example",
          [('    outputs = layers.Dense(units=10, activation="softmax")(x)\n',
            "    x = layers.Dense(units=10)(x)\n    outputs = layers.ReLU()(x)\n")],
          check="cnn_layers_match_reference", message="ends in a softmax"),
    wrong("keras_functional", "MLP missing a ReLU",
          [('x = tf.keras.layers.Dense(units=100, activation="relu")(inputs)',
            "x = tf.keras.layers.Dense(units=100)(inputs)")],
          check="mlp_matches_reference", message="missing ReLU"),
    wrong("keras_functional", "Sequential instead of Functional",
          [('    inputs = tf.keras.Input(shape=(8,))\n    x = tf.keras.layers.Dense(units=100, activation="relu")(inputs)\n',
            '    return tf.keras.Sequential([tf.keras.Input(shape=(8,)), tf.keras.layers.Dense(100, activation="relu"), '
            'tf.keras.layers.Dense(100, activation="relu"), tf.keras.layers.Dense(1)])\n')],
          check="mlp_matches_reference", message="Functional model"),
    correct("keras_functional", "x = inputs / 255 instead of a Rescaling layer",
            [("    x = layers.Rescaling(1 / 255)(inputs)\n", "    x = inputs / 255.0\n")]),
    correct("keras_functional", "ReLU layers in the MLP",
            [('x = tf.keras.layers.Dense(units=100, activation="relu")(inputs)',
              "x = tf.keras.layers.Dense(units=100)(inputs)\n    x = tf.keras.layers.ReLU()(x)")]),

    # keras_subclass
    wrong("keras_subclass", "__call__ overridden instead of call (E5)",
          [("    def call(self, x: tf.Tensor, training: bool | None = None) -> tf.Tensor:\n        # TODO: Apply conv",
            "    def __call__(self, x: tf.Tensor, training: bool | None = None) -> tf.Tensor:\n        # TODO: Apply conv")],
          check="models_implement_call", message="overrides __call__"),
    wrong("keras_subclass", "dropout always on",
          [("x = self.dropout(self.fc1(x), training=training)", "x = self.dropout(self.fc1(x), training=True)"),
           ("x = self.dropout(self.fc2(x), training=training)", "x = self.dropout(self.fc2(x), training=True)")],
          check="cnn_output_matches_reference_at_inference", message="Dropout is still active at test time"),
    wrong("keras_subclass", "dropout never on",
          [("x = self.dropout(self.fc1(x), training=training)", "x = self.dropout(self.fc1(x), training=False)"),
           ("x = self.dropout(self.fc2(x), training=training)", "x = self.dropout(self.fc2(x), training=False)")],
          check="cnn_dropout_is_active_in_training", message="training=training"),
    wrong("keras_subclass", "CNN without the final softmax",
          [('self.fc3 = tf.keras.layers.Dense(units=10, activation="softmax")',
            "self.fc3 = tf.keras.layers.Dense(units=10)")],
          check="cnn_output_matches_reference_at_inference", message="do not sum to 1"),
    wrong("keras_subclass", "MLP skips fc2",
          [("return self.fc3(self.fc2(self.fc1(x)))", "return self.fc3(self.fc1(x))")],
          check="mlp_output_matches_reference_with_same_weights", message="__init__ creates self.fc2, but call() never calls it"),
    correct("keras_subclass", "tf.nn.relu functions in call",
            [("x = self.relu(self.pool(self.conv1(x)))", "x = tf.nn.relu(self.pool(self.conv1(x)))"),
             ("x = self.relu(self.pool(self.conv2(x)))", "x = tf.nn.relu(self.pool(self.conv2(x)))"),
             ("x = self.relu(self.pool(self.conv3(x)))", "x = tf.nn.relu(self.pool(self.conv3(x)))")]),
    correct("keras_subclass", "nested Sequential feature block, dropout left to Keras's training flag",
            [(SUBCLASS_LAYERS, SUBCLASS_LAYERS_NESTED),
             (SUBCLASS_CALL, "        x = self.features(x)\n"),
             ("x = self.dropout(self.fc1(x), training=training)", "x = self.dropout(self.fc1(x))"),
             ("x = self.dropout(self.fc2(x), training=training)", "x = self.dropout(self.fc2(x))")]),

    # keras_compile_fit
    wrong("keras_compile_fit", "softmax output with from_logits=True",
          [("SparseCategoricalCrossentropy(from_logits=False)", "SparseCategoricalCrossentropy(from_logits=True)")],
          check="compile_sets_adam_sparse_crossentropy_and_accuracy", message="from_logits=True"),
    wrong("keras_compile_fit", "one-hot CategoricalCrossentropy",
          [("SparseCategoricalCrossentropy(from_logits=False)", "CategoricalCrossentropy()")],
          check="compile_sets_adam_sparse_crossentropy_and_accuracy", message="use SparseCategoricalCrossentropy"),
    wrong("keras_compile_fit", "optimizer='adam' ignores the learning rate",
          [("optimizer=tf.keras.optimizers.Adam(learning_rate=learning_rate),", 'optimizer="adam",')],
          check="compile_sets_adam_sparse_crossentropy_and_accuracy", message="keeps the default 1e-3"),
    wrong("keras_compile_fit", "SGD instead of Adam",
          [("tf.keras.optimizers.Adam(learning_rate=learning_rate)", "tf.keras.optimizers.SGD(learning_rate=learning_rate)")],
          check="compile_sets_adam_sparse_crossentropy_and_accuracy", message="tf.keras.optimizers.Adam"),
    wrong("keras_compile_fit", "Accuracy instead of SparseCategoricalAccuracy",
          [("        metrics=[tf.keras.metrics.SparseCategoricalAccuracy()],\n",
            "        metrics=[tf.keras.metrics.Accuracy()],\n")],
          check="compile_sets_adam_sparse_crossentropy_and_accuracy", message="compares their argmax"),
    wrong("keras_compile_fit", "fit without validation_split",
          [("        validation_split=validation_split,\n", "")],
          check="fit_returns_history_and_training_learns_cifar", message="validation_split"),
    wrong("keras_compile_fit", "fit returns history.history",
          [("        verbose=0,\n    )\n", "        verbose=0,\n    ).history\n")],
          check="fit_returns_history_and_training_learns_cifar", message="History object"),
    wrong("keras_compile_fit", "evaluate's results swapped",
          [("return float(loss), float(accuracy), probabilities", "return float(accuracy), float(loss), probabilities")],
          check="evaluate_and_predict_match_reference", message="evaluate returns [loss, accuracy]"),
    wrong("keras_compile_fit", "predict reduced to class labels",
          [("probabilities = model.predict(images, verbose=0)",
            "probabilities = model.predict(images, verbose=0).argmax(axis=1)")],
          check="evaluate_and_predict_match_reference", message="one row of 10 probabilities"),
    correct("keras_compile_fit", "loss and metric given by name",
            [("loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=False),",
              'loss="sparse_categorical_crossentropy",'),
             ("metrics=[tf.keras.metrics.SparseCategoricalAccuracy()],", 'metrics=["accuracy"],')]),

    # train_step
    wrong("train_step", "loss_fn(outputs, labels) as in torch",
          [("            loss = loss_fn(labels, outputs)\n", "            loss = loss_fn(outputs, labels)\n")],
          check="one_step_matches_reference", message="labels first"),
    wrong("train_step", "apply_gradients without zip (E6)",
          [("        optimizer.apply_gradients(zip(grads, model.trainable_weights))\n",
            "        optimizer.apply_gradients(grads, model.trainable_weights)\n")],
          check="one_step_matches_reference", message="erratum E6"),
    wrong("train_step", "zip(weights, grads)",
          [("        optimizer.apply_gradients(zip(grads, model.trainable_weights))\n",
            "        optimizer.apply_gradients(zip(model.trainable_weights, grads))\n")],
          check="one_step_matches_reference", message="Zip the gradients first"),
    wrong("train_step", "gradients for the first layer only",
          [("        grads = tape.gradient(loss, model.trainable_weights)\n",
            "        grads = tape.gradient(loss, model.trainable_weights[:2])\n")],
          check="one_step_matches_reference", message="with respect to all of model.trainable_weights"),
    wrong("train_step", "loss computed outside the tape",
          [("            loss = loss_fn(labels, outputs)\n", "        loss = loss_fn(labels, outputs)\n")],
          check="one_step_matches_reference", message="only records what runs inside"),
    wrong("train_step", "no @tf.function",
          [("    @tf.function\n", "")],
          check="make_train_step_returns_a_tf_function", message="@tf.function"),
    wrong("train_step", "epoch loss divided by the sample count (E3)",
          [(EPOCH_MEAN,
            "        total, samples = 0.0, 0\n"
            "        for images, labels in dataset:\n"
            "            total += float(train_step(images, labels))\n"
            "            samples += len(labels)\n"
            "        epoch_losses.append(total / samples)\n")],
          check="train_epochs_returns_mean_batch_loss_per_epoch", message="erratum E3"),
    wrong("train_step", "epoch loss is the last batch's",
          [("epoch_losses.append(sum(batch_losses) / len(batch_losses))", "epoch_losses.append(batch_losses[-1])")],
          check="train_epochs_returns_mean_batch_loss_per_epoch", message="the last batch's loss of its epoch"),
    correct("train_step", "epoch mean with tf.keras.metrics.Mean",
            [(EPOCH_MEAN,
              "        mean = tf.keras.metrics.Mean()\n"
              "        for images, labels in dataset:\n"
              "            mean.update_state(train_step(images, labels))\n"
              "        epoch_losses.append(float(mean.result()))\n")]),
    correct("train_step", "trainable_variables, optimizer.apply and no training flag",
            [("            outputs = model(images, training=True)\n", "            outputs = model(images)\n"),
             ("        grads = tape.gradient(loss, model.trainable_weights)\n",
              "        grads = tape.gradient(loss, model.trainable_variables)\n"),
             ("        optimizer.apply_gradients(zip(grads, model.trainable_weights))\n",
              "        optimizer.apply(grads, model.trainable_variables)\n")]),

    # keras_checkpoint
    wrong("keras_checkpoint", "file name ending in .h5",
          [('path = str(Path(directory) / "cnn.weights.h5")', 'path = str(Path(directory) / "cnn.h5")')],
          check="save_weights_writes_a_weights_file", message="ends in .weights.h5"),
    wrong("keras_checkpoint", "weights never loaded",
          [("    model.load_weights(path)\n", "")],
          check="load_weights_restores_the_predictions", message="Call model.load_weights(path)"),
    wrong("keras_checkpoint", "file written to the working directory",
          [('path = str(Path(directory) / "cnn.weights.h5")', 'path = "cnn.weights.h5"')],
          check="save_weights_writes_a_weights_file", message="Join the directory"),
    correct("keras_checkpoint", "os.path.join and another file name",
            [("from pathlib import Path\n", "import os\nfrom pathlib import Path\n"),
             ('path = str(Path(directory) / "cnn.weights.h5")',
              'path = os.path.join(directory, "model-best.weights.h5")')]),

    # Promoted from the beginner set (tests/beginners/ch6_keras).
    # keras_sequential
    wrong("keras_sequential", "Input(shape=8) instead of (8,)",
          [("            tf.keras.Input(shape=(8,)),\n", "            tf.keras.Input(shape=8),\n")],
          check="mlp_layers_match_reference", message="Input's shape is a tuple", status="error"),
    wrong("keras_sequential", "NCHW Input as in torch",
          [("tf.keras.Input(shape=(32, 32, 3)),", "tf.keras.Input(shape=(3, 32, 32)),")],
          check="cnn_layers_match_reference", message="channels first as in torch"),
    wrong("keras_sequential", "no Flatten before the Dense layers",
          [("            layers.Flatten(),\n", "")],
          check="cnn_layers_match_reference", message="Add Flatten()"),
    wrong("keras_sequential", "AveragePooling2D() instead of MaxPool2D()",
          [(SEQUENTIAL_CONVS, SEQUENTIAL_CONVS_AVERAGE)],
          check="cnn_layers_match_reference", message="AveragePooling2D takes the mean", status="error"),
    wrong("keras_sequential", "hidden Dense layers without activation",
          [(SEQUENTIAL_MLP, SEQUENTIAL_MLP_LINEAR)],
          check="mlp_layers_match_reference", message="a Dense layer has no activation unless you pass one"),
    correct("keras_sequential", "Dense(10) followed by a Softmax layer",
            [('layers.Dense(units=10, activation="softmax"),', "layers.Dense(units=10),\n            layers.Softmax(),")]),

    # keras_functional
    wrong("keras_functional", "Rescaling(255) multiplies",
          [("    x = layers.Rescaling(1 / 255)(inputs)\n", "    x = layers.Rescaling(255)(inputs)\n")],
          check="cnn_normalisation_feeds_the_first_conv", message="Rescaling(255) multiplies by 255"),
    wrong("keras_functional", "pixels scaled twice",
          [("    x = layers.Rescaling(1 / 255)(inputs)\n", "    x = layers.Rescaling(1 / 255)(inputs / 255)\n")],
          check="cnn_output_matches_reference_with_same_weights", message="You scale the pixels twice"),
    wrong("keras_functional", "second Dense applied to inputs",
          [('    x = tf.keras.layers.Dense(units=100, activation="relu")(x)\n',
            '    x = tf.keras.layers.Dense(units=100, activation="relu")(inputs)\n')],
          check="mlp_matches_reference", message="is computed but never reaches the outputs"),
    wrong("keras_functional", "outputs=x, the hidden layer's tensor",
          [("outputs = tf.keras.layers.Dense(units=1)(x)\n    return tf.keras.Model(inputs=inputs, outputs=outputs)",
            "outputs = tf.keras.layers.Dense(units=1)(x)\n    return tf.keras.Model(inputs=inputs, outputs=x)")],
          check="mlp_matches_reference", message="its output is not the model's outputs"),
    wrong("keras_functional", "the manual's Input() without a shape",
          [("    inputs = tf.keras.Input(shape=(8,))\n", "    inputs = tf.keras.Input()\n")],
          check="mlp_matches_reference", message="needs the shape of one sample", status="error"),
    correct("keras_functional", "a Lambda layer that divides by 255",
            [("    x = layers.Rescaling(1 / 255)(inputs)\n", "    x = layers.Lambda(lambda pixels: pixels / 255.0)(inputs)\n")]),

    # keras_subclass
    wrong("keras_subclass", "Dropout(0.5) instead of Dropout(dropout_rate)",
          [("self.dropout = tf.keras.layers.Dropout(dropout_rate)", "self.dropout = tf.keras.layers.Dropout(0.5)")],
          check="cnn_dropout_is_active_in_training", message="Pass the dropout_rate argument on"),
    wrong("keras_subclass", "no ReLU after the poolings",
          [(SUBCLASS_CALL, SUBCLASS_CALL_WITHOUT_RELU)],
          check="cnn_output_matches_reference_at_inference", message="without a ReLU after each pooling"),
    wrong("keras_subclass", "fc1 called twice",
          [("return self.fc3(self.fc2(self.fc1(x)))", "return self.fc3(self.fc1(self.fc1(x)))")],
          check="models_implement_call", message="fixes its input size on its first call", status="error"),
    wrong("keras_subclass", "dropout created but never called",
          [("x = self.dropout(self.fc1(x), training=training)", "x = self.fc1(x)"),
           ("x = self.dropout(self.fc2(x), training=training)", "x = self.fc2(x)")],
          check="cnn_dropout_is_active_in_training", message="__init__ creates self.dropout, but call() never calls it"),
    wrong("keras_subclass", "flatten left out of call",
          [("        x = self.flatten(x)\n", "")],
          check="models_implement_call", message="Add Flatten()"),
    correct("keras_subclass", "dropout only under `if training:`",
            [("x = self.dropout(self.fc1(x), training=training)",
              "x = self.fc1(x)\n        if training:\n            x = self.dropout(x, training=True)"),
             ("x = self.dropout(self.fc2(x), training=training)",
              "x = self.fc2(x)\n        if training:\n            x = self.dropout(x, training=True)")]),

    # keras_compile_fit
    wrong("keras_compile_fit", "Adam(lr=...), removed in Keras 3",
          [("tf.keras.optimizers.Adam(learning_rate=learning_rate)", "tf.keras.optimizers.Adam(lr=learning_rate)")],
          check="compile_sets_adam_sparse_crossentropy_and_accuracy", message="removed the optimizers' lr= argument",
          status="error"),
    wrong("keras_compile_fit", "first part held out by hand",
          [("    return model.fit(\n        images,\n        labels,\n",
            "    held_out = int(len(images) * validation_split)\n    return model.fit(\n        images[held_out:],\n"
            "        labels[held_out:],\n        validation_data=(images[:held_out], labels[:held_out]),\n"),
           ("        validation_split=validation_split,\n", "")],
          check="fit_returns_history_and_training_learns_cifar", message="Your validation data is the first part"),
    wrong("keras_compile_fit", "probabilities as float64",
          [("return float(loss), float(accuracy), probabilities",
            "return float(loss), float(accuracy), probabilities.astype(np.float64)")],
          check="evaluate_and_predict_match_reference", message="to have dtype float32"),
    wrong("keras_compile_fit", "model(images) instead of predict",
          [("probabilities = model.predict(images, verbose=0)", "probabilities = model(images)")],
          check="evaluate_and_predict_match_reference", message="to be a numpy array"),
    correct("keras_compile_fit", "predict with a batch size that does not divide the images",
            [("probabilities = model.predict(images, verbose=0)",
              "probabilities = model.predict(images, batch_size=7, verbose=0)")]),

    # train_step
    wrong("train_step", ".numpy() inside the tf.function",
          [("        return loss\n", "        return loss.numpy()\n")],
          check="one_step_matches_reference", message="symbolic tensors", status="error"),
    wrong("train_step", "model.predict inside the tape",
          [("            outputs = model(images, training=True)\n", "            outputs = model.predict(images)\n")],
          check="one_step_matches_reference", message="model.predict cannot run inside @tf.function", status="error"),
    wrong("train_step", "batch losses never reset between epochs",
          [("    epoch_losses = []\n", "    epoch_losses = []\n    batch_losses = []\n"),
           ("        batch_losses = [float(", "        batch_losses += [float(")],
          check="train_epochs_returns_mean_batch_loss_per_epoch", message="reset the list of batch losses"),
    wrong("train_step", "epoch means as tensors",
          [("epoch_losses.append(sum(batch_losses) / len(batch_losses))",
            "epoch_losses.append(tf.reduce_mean(batch_losses))")],
          check="train_epochs_returns_mean_batch_loss_per_epoch", message="Python floats"),
    correct("train_step", "batch means weighted by batch size (E3's other correct form)",
            [(EPOCH_MEAN,
              "        total, samples = 0.0, 0\n"
              "        for images, labels in dataset:\n"
              "            total += float(train_step(images, labels)) * len(labels)\n"
              "            samples += len(labels)\n"
              "        epoch_losses.append(total / samples)\n")]),

    # keras_checkpoint
    wrong("keras_checkpoint", "build_model passed instead of called",
          [("    model = build_model()\n", "    model = build_model\n")],
          check="load_weights_restores_the_predictions", message="used the function build_model itself"),
    wrong("keras_checkpoint", "return model.load_weights(path)",
          [("    model.load_weights(path)\n    return model\n", "    return model.load_weights(path)\n")],
          check="load_weights_restores_the_predictions", message="returns None, so return model itself"),
    wrong("keras_checkpoint", "directory + file name without a separator",
          [('path = str(Path(directory) / "cnn.weights.h5")', 'path = directory + "cnn.weights.h5"')],
          check="save_weights_writes_a_weights_file", message="without a separator"),
    wrong("keras_checkpoint", "model.save to a .keras file",
          [('path = str(Path(directory) / "cnn.weights.h5")\n    model.save_weights(path)',
            'path = str(Path(directory) / "cnn.keras")\n    model.save(path)')],
          check="save_weights_writes_a_weights_file", message="model.save writes the whole model"),
    wrong("keras_checkpoint", "a pathlib.Path returned",
          [('path = str(Path(directory) / "cnn.weights.h5")', 'path = Path(directory) / "cnn.weights.h5"')],
          check="save_weights_writes_a_weights_file", message="as a string"),
]
