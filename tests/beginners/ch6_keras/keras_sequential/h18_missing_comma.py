"""The regression MLP and the CIFAR-10 CNN with the Keras Sequential API (manual F4, F5, F6, E6)."""

import tensorflow as tf

# Erratum E6: the manual writes tf.keras.Model() for the Sequential API and Dense(unit=...).
# The Sequential API is tf.keras.Sequential([...]), and Dense's argument is units=.


def build_mlp() -> tf.keras.Sequential:
    """The California-housing MLP: 8 -> 100 -> 100 -> 1 with ReLU, no activation on the output.

    The model takes float32 features of shape (batch, 8) and returns float32 predictions of
    shape (batch, 1).
    """
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(8,)),
        tf.keras.layers.Dense(units=100, activation="relu"),
        tf.keras.layers.Dense(units=100, activation="relu"),
        tf.keras.layers.Dense(units=1),
    ])
    return model


def build_cnn() -> tf.keras.Sequential:
    """The CIFAR-10 CNN: (Conv2D(32, 3, same) -> MaxPool2D -> ReLU) x 3, Flatten, 100 -> 100 -> 10.

    The hidden Dense layers use ReLU, and the last layer ends in a softmax (F6). The model takes
    float32 images in NHWC layout, shape (batch, 32, 32, 3), and returns float32 class
    probabilities of shape (batch, 10), each row summing to 1.
    """
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(32, 32, 3)),
        tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same"),
        tf.keras.layers.MaxPool2D(),
        tf.keras.layers.ReLU(),
        tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same"),
        tf.keras.layers.MaxPool2D(),
        tf.keras.layers.ReLU(),
        tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same"),
        tf.keras.layers.MaxPool2D(),
        tf.keras.layers.ReLU(),
        tf.keras.layers.Flatten()
        tf.keras.layers.Dense(units=100, activation="relu"),
        tf.keras.layers.Dense(units=100, activation="relu"),
        tf.keras.layers.Dense(units=10, activation="softmax"),
    ])
    return model
