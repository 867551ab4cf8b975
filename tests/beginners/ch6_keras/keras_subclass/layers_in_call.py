"""The MLP and the CNN as tf.keras.Model subclasses that implement call() (manual F5, E5)."""

import tensorflow as tf


class MLP(tf.keras.Model):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = tf.keras.layers.Dense(units=100, activation="relu")
        self.fc2 = tf.keras.layers.Dense(units=100, activation="relu")
        self.fc3 = tf.keras.layers.Dense(units=1)

    def call(self, x: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        return self.fc3(self.fc2(self.fc1(x)))


class CNN(tf.keras.Model):
    def __init__(self, dropout_rate: float = 0.5) -> None:
        super().__init__()
        self.dropout_rate = dropout_rate

    def call(self, x: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        for _ in range(3):
            x = tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same")(x)
            x = tf.keras.layers.MaxPool2D()(x)
            x = tf.keras.layers.ReLU()(x)
        x = tf.keras.layers.Flatten()(x)
        x = tf.keras.layers.Dense(units=100, activation="relu")(x)
        x = tf.keras.layers.Dropout(self.dropout_rate)(x, training=training)
        x = tf.keras.layers.Dense(units=100, activation="relu")(x)
        x = tf.keras.layers.Dropout(self.dropout_rate)(x, training=training)
        return tf.keras.layers.Dense(units=10, activation="softmax")(x)
