"""The regression MLP and the CIFAR-10 CNN with the Keras Sequential API (manual F4, F5, F6, E6)."""

import tensorflow as tf

from tensorflow.keras import layers


def build_mlp() -> tf.keras.Sequential:
    model = tf.keras.Sequential(name="housing_mlp")
    model.add(tf.keras.Input(shape=(8,)))
    model.add(layers.Dense(100, activation=tf.nn.relu))
    model.add(layers.Dense(100, activation=tf.nn.relu))
    model.add(layers.Dense(1))
    return model


def build_cnn() -> tf.keras.Sequential:
    model = tf.keras.Sequential()
    model.add(tf.keras.Input(shape=(32, 32, 3)))
    for _ in range(3):
        model.add(layers.Conv2D(32, (3, 3), padding="same"))
        model.add(layers.MaxPooling2D(pool_size=(2, 2)))
        model.add(layers.Activation("relu"))
    model.add(layers.Flatten())
    model.add(layers.Dense(100, activation="relu"))
    model.add(layers.Dense(100, activation="relu"))
    model.add(layers.Dense(10))
    model.add(layers.Softmax())
    return model
