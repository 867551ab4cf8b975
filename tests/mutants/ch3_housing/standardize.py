"""Mutants of standardize (ch3_housing): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    # --- standardize (E7) --------------------------------------------------------------------
    wrong("statistics from the full data set",
          [("mean = train.mean(axis=0)\n    std = train.std(axis=0)",
            "everything = np.concatenate([train, val, test])\n"
            "    mean = everything.mean(axis=0)\n    std = everything.std(axis=0)")],
          check="val_and_test_use_the_training_statistics", message="leak into training"),
    wrong("each split with its own statistics",
          [("return (train - mean) / std, (val - mean) / std, (test - mean) / std",
            "return (train - mean) / std, (val - val.mean(axis=0)) / val.std(axis=0), "
            "(test - test.mean(axis=0)) / test.std(axis=0)")],
          check="val_and_test_use_the_training_statistics", message="its own mean and std"),
    wrong("std without axis",
          [("std = train.std(axis=0)", "std = train.std()")],
          check="training_split_gets_mean_0_and_std_1", message="train.std(axis=0)"),
    wrong("statistics over the wrong axis",
          [("mean = train.mean(axis=0)\n    std = train.std(axis=0)",
            "mean = train.mean()\n    std = train.std()")],
          check="training_split_gets_mean_0_and_std_1", message="per feature"),
    wrong("in place on the caller's array",
          [("return (train - mean) / std, (val - mean) / std, (test - mean) / std",
            "train -= mean\n    train /= std\n    return train, (val - mean) / std, (test - mean) / std")],
          check="inputs_are_left_unchanged", message="in place"),
    correct("torch statistics with ddof=1",
            [("mean = train.mean(axis=0)\n    std = train.std(axis=0)",
              "import torch\n\n    t = torch.from_numpy(train)\n"
              "    mean, std = t.mean(dim=0).numpy(), t.std(dim=0).numpy()")]),
    correct("keepdims and the square root of the variance",
            [("mean = train.mean(axis=0)\n    std = train.std(axis=0)",
              "mean = train.mean(axis=0, keepdims=True)\n    std = np.sqrt(train.var(axis=0, keepdims=True))")]),
    wrong("statistics of train and validation together",
          [("mean = train.mean(axis=0)\n    std = train.std(axis=0)",
            "seen = np.concatenate([train, val])\n"
            "    mean = seen.mean(axis=0)\n    std = seen.std(axis=0)")],
          check="val_and_test_use_the_training_statistics",
          message="training and validation splits together"),
    wrong("divided by the variance",
          [("std = train.std(axis=0)", "std = train.var(axis=0)")],
          check="training_split_gets_mean_0_and_std_1", message="divides by the variance"),
    wrong("statistics per sample (axis=1)",
          [("mean = train.mean(axis=0)\n    std = train.std(axis=0)",
            "mean = train.mean(axis=1)\n    std = train.std(axis=1)")],
          check="training_split_gets_mean_0_and_std_1", message="one value per sample",
          status="error"),
    wrong("cast to float32",
          [("return (train - mean) / std, (val - mean) / std, (test - mean) / std",
            "return tuple(((x - mean) / std).astype(np.float32) for x in (train, val, test))")],
          check="training_split_gets_mean_0_and_std_1", message="the dtype it came in"),
    correct("scikit-learn's StandardScaler fitted on train",
            [("mean = train.mean(axis=0)\n    std = train.std(axis=0)",
              "from sklearn.preprocessing import StandardScaler\n\n"
              "    scaler = StandardScaler().fit(train)"),
             ("return (train - mean) / std, (val - mean) / std, (test - mean) / std",
              "return scaler.transform(train), scaler.transform(val), scaler.transform(test)")]),
    wrong("x - mean / std without parentheses",
          [("return (train - mean) / std, (val - mean) / std, (test - mean) / std",
            "return train - mean / std, val - mean / std, test - mean / std")],
          check="training_split_gets_mean_0_and_std_1", message="division binds tighter"),
]
