"""The MLP and the CNN as tf.keras.Model subclasses that implement call() (manual F5, E5)."""

import tensorflow as tf

# Erratum E5: the manual's subclassed models override __call__. Keras models implement
# call(self, x, training=None) instead; Keras's own __call__ builds the layers, passes
# `training` on to layers such as Dropout and then runs your call().


class MLP(tf.keras.Model):
    """The California-housing MLP, 8 -> 100 -> 100 -> 1 with ReLU and no output activation.

    call takes float32 features of shape (batch, 8) and returns float32 predictions (batch, 1).
    """

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = tf.keras.layers.Dense(units=100, activation="relu")
        self.fc2 = tf.keras.layers.Dense(units=100, activation="relu")
        self.fc3 = tf.keras.layers.Dense(units=1)

    def __call__(self, x: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        return self.fc3(self.fc2(self.fc1(x)))


class CNN(tf.keras.Model):
    """The CIFAR-10 CNN with dropout after each hidden Dense layer.

    (Conv2D(32, 3, same) -> MaxPool2D -> ReLU) x 3, Flatten, then Dense(100, ReLU) -> Dropout ->
    Dense(100, ReLU) -> Dropout -> Dense(10, softmax). call takes float32 images in NHWC layout,
    shape (batch, 32, 32, 3), and returns float32 class probabilities of shape (batch, 10).
    Dropout zeroes activations only when training is True.
    """

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

    def __call__(self, x: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        x = self.relu(self.pool(self.conv1(x)))
        x = self.relu(self.pool(self.conv2(x)))
        x = self.relu(self.pool(self.conv3(x)))
        x = self.flatten(x)
        x = self.dropout(self.fc1(x), training=training)
        x = self.dropout(self.fc2(x), training=training)
        return self.fc3(x)
