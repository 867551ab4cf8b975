"""The regression MLP and the CIFAR-10 CNN with the Keras Sequential API (manual F4, F5, F6, E6)."""

import tensorflow as tf


def build_mlp() -> tf.keras.Sequential:
    # As in the manual: Keras infers the input size on the first call.
    model = tf.keras.Sequential()
    model.add(tf.keras.layers.Dense(units=100, activation="relu"))
    model.add(tf.keras.layers.Dense(units=100, activation="relu"))
    model.add(tf.keras.layers.Dense(units=1))
    return model


def build_cnn() -> tf.keras.Sequential:
    # ReLU before or after max pooling gives the same result.
    return tf.keras.Sequential(
        [
            tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            tf.keras.layers.MaxPool2D(),
            tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            tf.keras.layers.MaxPool2D(),
            tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            tf.keras.layers.MaxPool2D(),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(100, activation="relu"),
            tf.keras.layers.Dense(100, activation="relu"),
            tf.keras.layers.Dense(10, activation="softmax"),
        ]
    )
