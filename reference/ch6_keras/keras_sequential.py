"""The regression MLP and the CIFAR-10 CNN with the Keras Sequential API (manual F4, F5, F6, E6)."""

import tensorflow as tf

# Erratum E6: the manual writes tf.keras.Model() for the Sequential API and Dense(unit=...).
# The Sequential API is tf.keras.Sequential([...]), and Dense's argument is units=.


def build_mlp() -> tf.keras.Sequential:
    """The California-housing MLP: 8 -> 100 -> 100 -> 1 with ReLU, no activation on the output.

    The model takes float32 features of shape (batch, 8) and returns float32 predictions of
    shape (batch, 1).
    """
    # TODO: Return tf.keras.Sequential([...]) holding tf.keras.Input(shape=(8,)), two
    # Dense(units=100, activation="relu") layers and a Dense(units=1) output layer.
    ### BEGIN SOLUTION
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(8,)),
            tf.keras.layers.Dense(units=100, activation="relu"),
            tf.keras.layers.Dense(units=100, activation="relu"),
            tf.keras.layers.Dense(units=1),
        ]
    )
    ### END SOLUTION


def build_cnn() -> tf.keras.Sequential:
    """The CIFAR-10 CNN: (Conv2D(32, 3, same) -> MaxPool2D -> ReLU) x 3, Flatten, 100 -> 100 -> 10.

    The hidden Dense layers use ReLU, and the last layer ends in a softmax (F6). The model takes
    float32 images in NHWC layout, shape (batch, 32, 32, 3), and returns float32 class
    probabilities of shape (batch, 10), each row summing to 1.
    """
    # TODO: Return tf.keras.Sequential([...]) holding tf.keras.Input(shape=(32, 32, 3)); three
    # times Conv2D(filters=32, kernel_size=3, padding="same"), MaxPool2D() and ReLU(); then
    # Flatten(), Dense(units=100, activation="relu") twice and Dense(units=10, activation="softmax").
    ### BEGIN SOLUTION
    layers = tf.keras.layers
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(32, 32, 3)),
            # padding="same" keeps 32x32; each pooling halves it: 32 -> 16 -> 8 -> 4.
            layers.Conv2D(filters=32, kernel_size=3, padding="same"),
            layers.MaxPool2D(),
            layers.ReLU(),
            layers.Conv2D(filters=32, kernel_size=3, padding="same"),
            layers.MaxPool2D(),
            layers.ReLU(),
            layers.Conv2D(filters=32, kernel_size=3, padding="same"),
            layers.MaxPool2D(),
            layers.ReLU(),
            layers.Flatten(),
            layers.Dense(units=100, activation="relu"),
            layers.Dense(units=100, activation="relu"),
            layers.Dense(units=10, activation="softmax"),
        ]
    )
    ### END SOLUTION
