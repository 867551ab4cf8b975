"""The MLP and the CNN as tf.keras.Model subclasses that implement call() (manual F5, E5)."""

import tensorflow as tf


class MLP(tf.keras.Model):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = tf.keras.layers.Dense(units=100, activation="relu")
        self.fc2 = tf.keras.layers.Dense(units=100, activation="relu")
        self.fc3 = tf.keras.layers.Dense(units=1)

    def call(self, x, training=False):
        h = self.fc1(x)
        h = self.fc2(h)
        return self.fc3(h)


class CNN(tf.keras.Model):
    def __init__(self, dropout_rate: float = 0.5) -> None:
        super().__init__()
        self.conv1 = tf.keras.layers.Conv2D(32, 3, padding="same")
        self.conv2 = tf.keras.layers.Conv2D(32, 3, padding="same")
        self.conv3 = tf.keras.layers.Conv2D(32, 3, padding="same")
        self.pool = tf.keras.layers.MaxPool2D(pool_size=(2, 2))
        self.flatten = tf.keras.layers.Flatten()
        self.fc1 = tf.keras.layers.Dense(100, activation="relu")
        self.dropout1 = tf.keras.layers.Dropout(rate=dropout_rate)
        self.fc2 = tf.keras.layers.Dense(100, activation="relu")
        self.dropout2 = tf.keras.layers.Dropout(rate=dropout_rate)
        self.fc3 = tf.keras.layers.Dense(10, activation="softmax")

    def call(self, x, training=False):
        for conv in (self.conv1, self.conv2, self.conv3):
            x = tf.nn.relu(self.pool(conv(x)))
        x = self.flatten(x)
        x = self.dropout1(self.fc1(x), training=training)
        x = self.dropout2(self.fc2(x), training=training)
        return self.fc3(x)
