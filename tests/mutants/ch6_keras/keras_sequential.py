"""Mutants of keras_sequential (ch6_keras): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

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
SEQUENTIAL_CONVS_AVERAGE = SEQUENTIAL_CONVS.replace("layers.MaxPool2D()", "layers.AveragePooling2D()")
SEQUENTIAL_MLP_LINEAR = SEQUENTIAL_MLP.replace(', activation="relu"', "")

MUTANTS = [
    # Named by the generic diagnosis (grader/toolkit/diagnose.py, grader/explain.py): no check
    # lists these slips.
    wrong("Flatten without the call",
          [("            layers.Flatten(),", "            layers.Flatten,")],
          check="cnn_layers_match_reference", status="error",
          message="`layers.Flatten` on line 54 of your file is the class Flatten itself"),

    wrong("Dense(unit=...) as in the manual",
          [("tf.keras.layers.Dense(units=1),", "tf.keras.layers.Dense(unit=1),")],
          check="mlp_layers_match_reference", message="Dense's argument is units="),
    wrong("tf.keras.Model([...]) for the Sequential API",
          [("    return tf.keras.Sequential(\n        [\n            tf.keras.Input(shape=(8,)),",
            "    return tf.keras.Model(\n        [\n            tf.keras.Input(shape=(8,)),")],
          check="mlp_layers_match_reference", message="tf.keras.Model() takes no list of layers"),
    wrong("ReLU on the regression output",
          [("tf.keras.layers.Dense(units=1),", 'tf.keras.layers.Dense(units=1, activation="relu"),')],
          check="mlp_output_matches_reference_with_same_weights", message="never negative"),
    wrong("first conv without padding='same'",
          [('4.\n            layers.Conv2D(filters=32, kernel_size=3, padding="same"),',
            "4.\n            layers.Conv2D(filters=32, kernel_size=3),")],
          check="cnn_layers_match_reference", message="padding='same'"),
    wrong("CNN without the final softmax",
          [('layers.Dense(units=10, activation="softmax"),', "layers.Dense(units=10),")],
          check="cnn_output_matches_reference_with_same_weights", message="do not sum to 1"),
    correct("ReLU as the conv's activation before pooling",
            [(SEQUENTIAL_CONVS, SEQUENTIAL_CONVS_WITH_ACTIVATION)]),
    correct("MLP built with add() and ReLU layers, no Input",
            [(SEQUENTIAL_MLP, SEQUENTIAL_MLP_BY_ADD)]),
    # Promoted from the beginner set (tests/beginners/ch6_keras).
    wrong("Input(shape=8) instead of (8,)",
          [("            tf.keras.Input(shape=(8,)),\n", "            tf.keras.Input(shape=8),\n")],
          check="mlp_layers_match_reference", message="Input's shape is a tuple", status="error"),
    wrong("NCHW Input as in torch",
          [("tf.keras.Input(shape=(32, 32, 3)),", "tf.keras.Input(shape=(3, 32, 32)),")],
          check="cnn_layers_match_reference", message="channels first as in torch"),
    wrong("no Flatten before the Dense layers",
          [("            layers.Flatten(),\n", "")],
          check="cnn_layers_match_reference", message="Add Flatten()"),
    wrong("AveragePooling2D() instead of MaxPool2D()",
          [(SEQUENTIAL_CONVS, SEQUENTIAL_CONVS_AVERAGE)],
          check="cnn_layers_match_reference", message="AveragePooling2D takes the mean", status="error"),
    wrong("hidden Dense layers without activation",
          [(SEQUENTIAL_MLP, SEQUENTIAL_MLP_LINEAR)],
          check="mlp_layers_match_reference", message="a Dense layer has no activation unless you pass one"),
    correct("Dense(10) followed by a Softmax layer",
            [('layers.Dense(units=10, activation="softmax"),', "layers.Dense(units=10),\n            layers.Softmax(),")]),
]
