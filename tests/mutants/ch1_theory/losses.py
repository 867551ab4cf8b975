"""Mutants of losses (ch1_theory): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    # Named by the generic diagnosis (grader/toolkit/diagnose.py, grader/explain.py): no check
    # lists these slips.
    wrong("mse averaged over axis 0 keeps a (1,) array",
          [("return float(np.mean((pred - target) ** 2))", "return np.mean((pred - target) ** 2, axis=0)")],
          check="mse_matches_torch", message="an extra axis of size 1"),

    wrong("cross-entropy without the batch mean",
          [("return float(np.mean(-np.sum(one_hot_targets * np.log(probs), axis=1)))",
            "return float(np.sum(-np.sum(one_hot_targets * np.log(probs), axis=1)))")],
          check="cross_entropy_matches_torch", message="summed over the batch instead of averaging"),
    wrong("cross-entropy without the minus",
          [("return float(np.mean(-np.sum(one_hot_targets * np.log(probs), axis=1)))",
            "return float(np.mean(np.sum(one_hot_targets * np.log(probs), axis=1)))")],
          check="cross_entropy_matches_torch", message="dropped the minus sign"),
    wrong("one-hot counted from 1",
          [("return np.eye(num_classes)[labels]", "return np.eye(num_classes)[labels - 1]")],
          check="one_hot_matches_reference", message="counted classes from 1"),
    wrong("mse summed over the batch",
          [("return float(np.mean((pred - target) ** 2))", "return float(np.sum((pred - target) ** 2))")],
          check="mse_matches_torch", message="summed over the batch instead of averaging"),
    wrong("rmse",
          [("return float(np.mean((pred - target) ** 2))", "return float(np.sqrt(np.mean((pred - target) ** 2)))")],
          check="mse_matches_torch", message="RMSE"),
    wrong("one-hot in an int array",
          [("return np.eye(num_classes)[labels]", "return np.eye(num_classes, dtype=int)[labels]")],
          check="one_hot_matches_reference", message="promises a float64 array"),
    wrong("cross-entropy summed over axis 0",
          [("return float(np.mean(-np.sum(one_hot_targets * np.log(probs), axis=1)))",
            "return float(np.mean(-np.sum(one_hot_targets * np.log(probs), axis=0)))")],
          check="cross_entropy_matches_torch", message="summed over axis 0"),
    wrong("mse with the 1/2 convention",
          [("return float(np.mean((pred - target) ** 2))", "return float(0.5 * np.mean((pred - target) ** 2))")],
          check="mse_matches_torch", message="1/2 (y_hat - y)^2 convention"),
    wrong("mse squares the mean difference",
          [("return float(np.mean((pred - target) ** 2))", "return float(np.mean(pred - target) ** 2)")],
          check="mse_matches_torch", message="squared the mean difference"),
    correct("pick the target probability",
            [("return float(np.mean(-np.sum(one_hot_targets * np.log(probs), axis=1)))",
              "return -np.log((probs * one_hot_targets).sum(axis=1)).mean()")]),
    correct("one-hot by fancy indexing, mse by np.square",
            [("return np.eye(num_classes)[labels]",
              "out = np.zeros((len(labels), num_classes))\n    out[np.arange(len(labels)), labels] = 1\n"
              "    return out"),
             ("return float(np.mean((pred - target) ** 2))", "return np.square(pred - target).mean()")]),
    wrong("mse returned as torch's 0-d tensor",
          [("return float(np.mean((pred - target) ** 2))",
            "import torch\n\n    return torch.nn.functional.mse_loss(torch.from_numpy(pred), "
            "torch.from_numpy(target))")],
          check="mse_matches_torch", message="it holds one number, but it is not a Python number"),
]
