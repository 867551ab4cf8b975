"""The regression MLP and the CIFAR-10 CNN with the Keras Sequential API (manual F4, F5, F6, E6)."""

import tensorflow as tf


def build_mlp() -> tf.keras.Sequential:
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(8,)),
            tf.keras.layers.Dense(units=100),
            tf.keras.layers.Dense(units=100),
            tf.keras.layers.Dense(units=1),
        ]
    )


def build_cnn() -> tf.keras.Sequential:
    return tf.keras.Sequential(
        [
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
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(units=100, activation="relu"),
            tf.keras.layers.Dense(units=100, activation="relu"),
            tf.keras.layers.Dense(units=10, activation="softmax"),
        ]
    )
