"""The MLP and the CNN with the Keras Functional API, normalising the pixels first (manual F5, E4)."""

import tensorflow as tf

from tensorflow.keras import layers


def build_mlp() -> tf.keras.Model:
    inputs = tf.keras.Input(shape=(8,), name="features")
    hidden = inputs
    for _ in range(2):
        hidden = layers.Dense(100)(hidden)
        hidden = layers.Activation("relu")(hidden)
    outputs = layers.Dense(1, name="price")(hidden)
    return tf.keras.Model(inputs, outputs, name="housing_mlp")


def build_cnn() -> tf.keras.Model:
    inputs = tf.keras.Input(shape=(32, 32, 3))
    x = layers.Rescaling(scale=1.0 / 255.0, offset=0.0)(inputs)
    for _ in range(3):
        x = layers.Conv2D(32, (3, 3), padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(pool_size=2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(100, activation="relu")(x)
    x = layers.Dense(100, activation="relu")(x)
    x = layers.Dense(10)(x)
    outputs = layers.Softmax()(x)
    return tf.keras.Model(inputs=inputs, outputs=outputs)
