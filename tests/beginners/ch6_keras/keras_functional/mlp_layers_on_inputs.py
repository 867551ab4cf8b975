"""The MLP and the CNN with the Keras Functional API, normalising the pixels first (manual F5, E4)."""

import tensorflow as tf


def build_mlp() -> tf.keras.Model:
    inputs = tf.keras.Input(shape=(8,))
    x = tf.keras.layers.Dense(units=100, activation="relu")(inputs)
    x = tf.keras.layers.Dense(units=100, activation="relu")(inputs)
    outputs = tf.keras.layers.Dense(units=1)(x)
    return tf.keras.Model(inputs=inputs, outputs=outputs)


def build_cnn() -> tf.keras.Model:
    inputs = tf.keras.Input(shape=(32, 32, 3))
    x = tf.keras.layers.Rescaling(1 / 255)(inputs)
    x = tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same")(x)
    x = tf.keras.layers.MaxPool2D()(x)
    x = tf.keras.layers.ReLU()(x)
    x = tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same")(x)
    x = tf.keras.layers.MaxPool2D()(x)
    x = tf.keras.layers.ReLU()(x)
    x = tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same")(x)
    x = tf.keras.layers.MaxPool2D()(x)
    x = tf.keras.layers.ReLU()(x)
    x = tf.keras.layers.Flatten()(x)
    x = tf.keras.layers.Dense(units=100, activation="relu")(x)
    x = tf.keras.layers.Dense(units=100, activation="relu")(x)
    outputs = tf.keras.layers.Dense(units=10, activation="softmax")(x)
    return tf.keras.Model(inputs=inputs, outputs=outputs)
