"""Mutants for chapter 1 (theory in NumPy)."""

from tests.mutants import correct, wrong

MUTANTS = [
    wrong("activations", "softmax without subtracting the max",
          [("shifted = logits - logits.max(axis=-1, keepdims=True)", "shifted = logits")],
          check="softmax_is_stable_for_large_logits", message="np.exp(1000) overflows"),
    wrong("activations", "softmax normalised over the batch axis",
          [("return exps / exps.sum(axis=-1, keepdims=True)", "return exps / exps.sum(axis=0, keepdims=True)")],
          check="softmax_matches_reference", message="normalised over axis 0"),
    wrong("activations", "relu as min",
          [("return np.maximum(x, 0)", "return np.minimum(x, 0)")],
          check="relu_matches_reference", message="min(0, x)"),
    correct("activations", "relu by boolean mask",
            [("return np.maximum(x, 0)", "return x * (x > 0)")]),
    correct("activations", "softmax via logsumexp",
            [("exps = np.exp(shifted)\n    return exps / exps.sum(axis=-1, keepdims=True)",
              "return np.exp(shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))")]),
]
