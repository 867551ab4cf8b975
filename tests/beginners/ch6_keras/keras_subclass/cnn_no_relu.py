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
        self.conv1 = tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same")
        self.conv2 = tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same")
        self.conv3 = tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same")
        self.pool = tf.keras.layers.MaxPool2D()
        self.relu = tf.keras.layers.ReLU()
        self.flatten = tf.keras.layers.Flatten()
        self.fc1 = tf.keras.layers.Dense(units=100, activation="relu")
        self.fc2 = tf.keras.layers.Dense(units=100, activation="relu")
        self.dropout = tf.keras.layers.Dropout(dropout_rate)
        self.fc3 = tf.keras.layers.Dense(units=10, activation="softmax")

    def call(self, x: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        x = self.pool(self.conv1(x))
        x = self.pool(self.conv2(x))
        x = self.pool(self.conv3(x))
        x = self.flatten(x)
        x = self.dropout(self.fc1(x), training=training)
        x = self.dropout(self.fc2(x), training=training)
        return self.fc3(x)
