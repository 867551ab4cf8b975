"""The regression MLP and the CIFAR-10 CNN with the Keras Sequential API (manual F4, F5, F6, E6)."""

import tensorflow as tf


def build_mlp() -> tf.keras.Sequential:
    """The California-housing MLP."""
    model = tf.keras.Model(
        [
            tf.keras.layers.Dense(units=100, activation="relu"),
            tf.keras.layers.Dense(units=100, activation="relu"),
            tf.keras.layers.Dense(units=1),
        ]
    )
    return model


def build_cnn() -> tf.keras.Sequential:
    """The CIFAR-10 CNN."""
    model = tf.keras.Model(
        [
            tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same"),
            tf.keras.layers.MaxPool2D(),
            tf.keras.layers.ReLU(),
            tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same"),
            tf.keras.layers.MaxPool2D(),
            tf.keras.layers.ReLU(),
            tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same"),
            tf.keras.layers.MaxPool2D(),
            tf.keras.layers.ReLU(),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(units=100, activation="relu"),
            tf.keras.layers.Dense(units=100, activation="relu"),
            tf.keras.layers.Dense(units=10, activation="softmax"),
        ]
    )
    return model
