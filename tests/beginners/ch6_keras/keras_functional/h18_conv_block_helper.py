"""The MLP and the CNN with the Keras Functional API, normalising the pixels first (manual F5, E4)."""

import tensorflow as tf

# Erratum E4: the manual's Functional CNN normalises `inputs` into `x` but then applies the first
# Conv2D to `inputs`, so the normalisation never reaches the model. Feed the normalised tensor on.


def build_mlp() -> tf.keras.Model:
    """The California-housing MLP, 8 -> 100 -> 100 -> 1 with ReLU, as Input -> layers -> Model.

    The model takes float32 features of shape (batch, 8) and returns float32 predictions of
    shape (batch, 1), with no activation on the output.
    """
    features = tf.keras.Input(shape=(8,), dtype="float32", name="features")
    hidden = features
    for width in (100, 100):
        hidden = tf.keras.layers.Dense(width, activation="relu")(hidden)
    prediction = tf.keras.layers.Dense(1, activation=None)(hidden)
    return tf.keras.Model(features, prediction)


def build_cnn() -> tf.keras.Model:
    """The CIFAR-10 CNN on raw pixels: Rescaling(1/255), then the layers of the Sequential CNN.

    The model takes float32 images in NHWC layout, shape (batch, 32, 32, 3), with raw pixel
    values in [0, 255]. It scales them to [0, 1], applies (Conv2D(32, 3, same) -> MaxPool2D ->
    ReLU) x 3, Flatten and Dense 100 -> 100 -> 10 (ReLU, ReLU, softmax), and returns float32
    class probabilities of shape (batch, 10).
    """
    def conv_block(t):
        t = tf.keras.layers.Conv2D(32, 3, padding="same")(t)
        t = tf.keras.layers.MaxPool2D()(t)
        return tf.keras.layers.ReLU()(t)

    inputs = tf.keras.Input(shape=(32, 32, 3))
    x = tf.keras.layers.Rescaling(scale=1.0 / 255.0, offset=0.0)(inputs)
    for _ in range(3):
        x = conv_block(x)
    x = tf.keras.layers.Flatten()(x)
    x = tf.keras.layers.Dense(100, activation="relu")(x)
    x = tf.keras.layers.Dense(100, activation="relu")(x)
    x = tf.keras.layers.Dense(10)(x)
    outputs = tf.keras.layers.Softmax()(x)
    return tf.keras.Model(inputs=inputs, outputs=outputs, name="cifar_cnn")
