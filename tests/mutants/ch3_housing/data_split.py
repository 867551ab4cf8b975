"""Mutants of data_split (ch3_housing): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    # --- data_split (T1, P7, P9, E8) ---------------------------------------------------------
    # heldout sequential_subsets was told it seeded a generator with a constant.
    wrong("contiguous ranges, no shuffle",
          [("train_set, val_set, test_set = random_split(dataset, [0.8, 0.1, 0.1], generator=generator)",
            "n_train, n_val = int(0.8 * len(dataset)), int(0.1 * len(dataset))\n"
            "    train_set = Subset(dataset, range(n_train))\n"
            "    val_set = Subset(dataset, range(n_train, n_train + n_val))\n"
            "    test_set = Subset(dataset, range(n_train + n_val, len(dataset)))")],
          check="same_seed_gives_the_same_split", message="contiguous range"),
    wrong("the sample scripts' 0.998/0.001/0.001 split (E8)",
          [("[0.8, 0.1, 0.1], generator=generator", "[0.998, 0.001, 0.001], generator=generator")],
          check="split_sizes_are_80_10_10", message="E8"),
    wrong("val and test split from the whole dataset again",
          [("train_set, val_set, test_set = random_split(dataset, [0.8, 0.1, 0.1], generator=generator)",
            "train_set, _ = random_split(dataset, [0.8, 0.2], generator=generator)\n"
            "    val_set, test_set, _ = random_split(dataset, [0.1, 0.1, 0.8], generator=generator)")],
          check="every_sample_is_in_exactly_one_split", message="in both the train and the"),
    wrong("no generator: the split follows the global RNG",
          [("random_split(dataset, [0.8, 0.1, 0.1], generator=generator)", "random_split(dataset, [0.8, 0.1, 0.1])")],
          check="same_seed_gives_the_same_split", message="generator=torch.Generator().manual_seed(seed)"),
    wrong("a constant seed",
          [("generator = torch.Generator().manual_seed(seed)", "generator = torch.Generator().manual_seed(42)")],
          check="same_seed_gives_the_same_split", message="ignores the seed"),
    wrong("training loader not shuffled",
          [("DataLoader(train_set, batch_size=batch_size, shuffle=True)",
            "DataLoader(train_set, batch_size=batch_size, shuffle=False)")],
          check="only_order_of_training_batches_is_shuffled", message="shuffle=True"),
    wrong("DataLoader's default batch size",
          [("DataLoader(val_set, batch_size=batch_size, shuffle=False)", "DataLoader(val_set, shuffle=False)")],
          check="loader_batches_are_100_by_8_and_100_by_1", message="default batch_size is 1"),
    wrong("a hard-coded batch size",
          [("DataLoader(train_set, batch_size=batch_size, shuffle=True)",
            "DataLoader(train_set, batch_size=100, shuffle=True)")],
          check="loader_batches_are_100_by_8_and_100_by_1", message="batch_size argument"),
    wrong("shuffled validation and test loaders",
            [("DataLoader(val_set, batch_size=batch_size, shuffle=False)",
              "DataLoader(val_set, batch_size=batch_size, shuffle=True)"),
             ("DataLoader(test_set, batch_size=batch_size, shuffle=False)",
              "DataLoader(test_set, batch_size=batch_size, shuffle=True)")],
          check="only_order_of_training_batches_is_shuffled", message="shuffle=False (the default)"),
    wrong("shuffled test loader only",
          [("DataLoader(test_set, batch_size=batch_size, shuffle=False)",
            "DataLoader(test_set, batch_size=batch_size, shuffle=True)")],
          check="only_order_of_training_batches_is_shuffled", message="Build the test loader with shuffle=False"),
    correct("validation and test loaders without the shuffle argument",
            [("DataLoader(val_set, batch_size=batch_size, shuffle=False)", "DataLoader(val_set, batch_size)"),
             ("DataLoader(test_set, batch_size=batch_size, shuffle=False)", "DataLoader(test_set, batch_size=batch_size)")]),
    correct("integer lengths and a seeded randperm",
            [("train_set, val_set, test_set = random_split(dataset, [0.8, 0.1, 0.1], generator=generator)",
              "order = torch.randperm(len(dataset), generator=generator).tolist()\n"
              "    n_train, n_val = int(0.8 * len(dataset)), int(0.1 * len(dataset))\n"
              "    train_set = Subset(dataset, order[:n_train])\n"
              "    val_set = Subset(dataset, order[n_train : n_train + n_val])\n"
              "    test_set = Subset(dataset, order[n_train + n_val :])")]),
    wrong("int() lengths that do not add up for 1003 samples",
          [("train_set, val_set, test_set = random_split(dataset, [0.8, 0.1, 0.1], generator=generator)",
            "n = len(dataset)\n"
            "    lengths = [int(0.8 * n), int(0.1 * n), int(0.1 * n)]\n"
            "    train_set, val_set, test_set = random_split(dataset, lengths, generator=generator)")],
          check="split_sizes_are_80_10_10", message="are each rounded down", status="error"),
    wrong("drop_last on the validation loader",
          [("DataLoader(val_set, batch_size=batch_size, shuffle=False)",
            "DataLoader(val_set, batch_size=batch_size, shuffle=False, drop_last=True)")],
          check="only_order_of_training_batches_is_shuffled", message="drop_last=True dropped"),
    correct("the global generator seeded with torch.manual_seed",
            [("generator = torch.Generator().manual_seed(seed)\n"
              "    train_set, val_set, test_set = random_split(dataset, [0.8, 0.1, 0.1], generator=generator)",
              "torch.manual_seed(seed)\n"
              "    train_set, val_set, test_set = random_split(dataset, [0.8, 0.1, 0.1])")]),
    correct("rounded lengths, the last one takes the rest",
            [("train_set, val_set, test_set = random_split(dataset, [0.8, 0.1, 0.1], generator=generator)",
              "n_val = n_test = round(0.1 * len(dataset))\n"
              "    lengths = [len(dataset) - n_val - n_test, n_val, n_test]\n"
              "    train_set, val_set, test_set = random_split(dataset, lengths, generator=generator)")]),
]
