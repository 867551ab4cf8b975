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

    def call(self, x: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        for layer in (self.fc1, self.fc2, self.fc3):
            x = layer(x)
        return x


class CNN(tf.keras.Model):
    """The CIFAR-10 CNN with dropout after each hidden Dense layer.

    (Conv2D(32, 3, same) -> MaxPool2D -> ReLU) x 3, Flatten, then Dense(100, ReLU) -> Dropout ->
    Dense(100, ReLU) -> Dropout -> Dense(10, softmax). call takes float32 images in NHWC layout,
    shape (batch, 32, 32, 3), and returns float32 class probabilities of shape (batch, 10).
    Dropout zeroes activations only when training is True.
    """

    def __init__(self, dropout_rate: float = 0.5) -> None:
        super().__init__()
        self.convs = [
            tf.keras.layers.Conv2D(filters=32, kernel_size=3, padding="same") for _ in range(3)
        ]
        self.pool = tf.keras.layers.MaxPool2D()
        self.relu = tf.keras.layers.ReLU()
        self.flatten = tf.keras.layers.Flatten()
        self.fc1 = tf.keras.layers.Dense(units=100, activation="relu")
        self.fc2 = tf.keras.layers.Dense(units=100, activation="relu")
        self.dropout = tf.keras.layers.Dropout(rate=dropout_rate)
        self.fc3 = tf.keras.layers.Dense(units=10, activation="softmax")

    def call(self, x: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        for conv in self.convs:
            x = self.relu(self.pool(conv(x)))
        x = self.flatten(x)
        # Keras hands `training` down to the layers called inside call() by itself
        x = self.dropout(self.fc1(x))
        x = self.dropout(self.fc2(x))
        return self.fc3(x)
