"""Checks for exercises/ch3_housing/data_split.py (manual T1, P7, P9, erratum E8)."""

import torch
from torch.utils.data import Dataset, random_split

from grader.toolkit.expect import Slip, describe, fail

SLIPS = (
    # Lengths from int(0.8 * n), int(0.1 * n), int(0.1 * n): each is rounded down, so for a size
    # that is not a multiple of 10 they add up to less than n and random_split refuses them.
    Slip(
        error=ValueError,
        says=r"Sum of input lengths does not equal the length of the input dataset",
        code=r"random_split",
        explanation="The lengths you passed to random_split do not add up to len(dataset). "
        "Lengths from int(0.8 * n), int(0.1 * n) and int(0.1 * n) are each rounded down, so for "
        "n = 1003 they add up to 1002; fixed numbers fit one size only. Pass the fractions "
        "[0.8, 0.1, 0.1] themselves (random_split rounds them for you), or make the last length "
        "n - n_train - n_val.",
        topic="P7",
    ),
)

N_SMALL = 1000  # 800 / 100 / 100, so that any rounding of 0.8 and 0.1 gives the same sizes
# Not a multiple of 10: 0.8 and 0.1 of it are not whole numbers, so lengths computed with int()
# do not add up to it. Any sizes within one sample of 802.4 / 100.3 / 100.3 that add up to 1003
# are a correct rounding (random_split's own is 803 / 100 / 100).
N_ODD = 1003
CALIFORNIA_ROWS = 20640  # the manual's data set: 16512 / 2064 / 2064
N_FEATURES = 8
BATCH = 100
OTHER_BATCH = 64  # a second batch size, to see that make_loaders uses its argument
# The coverage check's batch size: it divides none of 800 / 100 / 100, so a loader that drops
# its last, short batch (drop_last=True) is seen to leave samples out.
COVER_BATCH = 64


class NumberedDataset(Dataset):
    """Sample i is (features full of i, target [i]): float32 of shapes (8,) and (1,).

    Reading an item tells which sample it is, whatever Subset or sampler sits in between.
    """

    def __init__(self, length: int):
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        if not 0 <= index < self.length:
            raise IndexError(index)
        return torch.full((N_FEATURES,), float(index)), torch.tensor([float(index)])


def sample_ids(subset) -> list[int]:
    return [int(subset[i][1].item()) for i in range(len(subset))]


def split(learner, dataset: Dataset, seed: int) -> tuple:
    result = learner.split_dataset(dataset, seed)
    if not (isinstance(result, (tuple, list)) and len(result) == 3):
        fail(
            "split_dataset to return three datasets (train, val, test)",
            describe(result),
            "Return what random_split gives back: train_set, val_set, test_set.",
            "P7",
        )
    return tuple(result)


def rounds_80_10_10(sizes: tuple, n: int) -> bool:
    """Sizes that add up to n, each within one sample of 80 %, 10 % and 10 % of n."""
    return sum(sizes) == n and all(
        abs(size - fraction * n) < 1 for size, fraction in zip(sizes, (0.8, 0.1, 0.1), strict=True)
    )


IGNORED_SEED_STEP = (
    "The split ignores the seed argument: seed the generator with it, "
    "torch.Generator().manual_seed(seed), not with a constant."
)
CONTIGUOUS_STEP = (
    "Each part is a contiguous range of the dataset, so nothing is shuffled and no seed can "
    "change the split. Draw the parts at random: random_split(dataset, [0.8, 0.1, 0.1], "
    "generator=torch.Generator().manual_seed(seed))."
)


def test_split_sizes_are_80_10_10(learner, seed):
    """Check that the split is 80 % / 10 % / 10 %: 800/100/100 of 1000 and 16512/2064/2064 of 20640."""
    for n in (N_SMALL, CALIFORNIA_ROWS, N_ODD):
        sizes = tuple(len(part) for part in split(learner, NumberedDataset(n), seed))
        want = (int(0.8 * n), int(0.1 * n), n - int(0.8 * n) - int(0.1 * n))
        if sizes == want or rounds_80_10_10(sizes, n):
            continue
        what = f"the (train, val, test) sizes for {n} samples to be {want}"
        if n == N_ODD:
            what = (
                f"the (train, val, test) sizes for {n} samples to add up to {n}, each within one "
                f"sample of {0.8 * n:g} / {0.1 * n:g} / {0.1 * n:g}"
            )
        if sum(sizes) > n:
            fail(
                what,
                f"{sizes}, which add up to {sum(sizes)}",
                f"The three sets hold more samples than the {n} in the dataset, so some sample "
                "is in two of them. Split the dataset once, with one random_split call into "
                "three parts.",
                "T1, P7",
            )
        if sum(sizes) < n:
            floors = (int(0.8 * n), int(0.1 * n), int(0.1 * n))
            fail(
                what,
                f"{sizes}, which add up to {sum(sizes)}",
                f"{n - sum(sizes)} sample(s) landed in no set. "
                + (
                    "Those are the lengths int() gives: each of 0.8 * n, 0.1 * n and 0.1 * n is "
                    "rounded down. "
                    if sizes == floors
                    else ""
                )
                + "Pass the fractions [0.8, 0.1, 0.1] to random_split, or make the last length "
                "n - n_train - n_val.",
                "T1, P7",
            )
        if sizes[1] < 0.01 * n:
            fail(
                what,
                f"{sizes}",
                "That is the sample scripts' [0.998, 0.001, 0.001] split (erratum E8): a handful "
                "of samples cannot measure validation or test loss. Use [0.8, 0.1, 0.1].",
                "P7, E8",
            )
        fail(what, f"{sizes}", "Pass the fractions [0.8, 0.1, 0.1] to random_split.", "P7")


def test_every_sample_is_in_exactly_one_split(learner, seed):
    """Check that train, val and test share no sample and together hold every sample once."""
    parts = split(learner, NumberedDataset(N_SMALL), seed)
    ids = [sample_ids(part) for part in parts]
    names = ("train", "val", "test")
    for a in range(3):
        if len(set(ids[a])) != len(ids[a]):
            fail(
                f"each sample at most once in the {names[a]} set",
                f"{len(ids[a]) - len(set(ids[a]))} repeated sample(s)",
                "Split once with random_split(dataset, [0.8, 0.1, 0.1], generator=...): it "
                "draws without replacement.",
                "T1, P7",
            )
        for b in range(a + 1, 3):
            shared = set(ids[a]) & set(ids[b])
            if shared:
                fail(
                    "no sample in more than one set",
                    f"{len(shared)} sample(s) in both the {names[a]} and the {names[b]} set",
                    "A sample the model trained on says nothing about how it does on new data. "
                    "Split the dataset once, with one random_split call into three parts.",
                    "T1, P7",
                )
    missing = N_SMALL - len(set().union(*map(set, ids)))
    if missing:
        fail(
            f"all {N_SMALL} samples in one of the three sets",
            f"{missing} sample(s) in none of them",
            "Split the whole dataset: random_split(dataset, [0.8, 0.1, 0.1], generator=...).",
            "T1, P7",
        )


def test_same_seed_gives_the_same_split(learner, seed):
    """Check that the same seed gives the same split, and a different seed a different one."""
    dataset = NumberedDataset(N_SMALL)
    first = [sorted(sample_ids(part)) for part in split(learner, dataset, seed)]
    torch.manual_seed(seed + 1)  # what other code might do to the global RNG in between
    again = [sorted(sample_ids(part)) for part in split(learner, dataset, seed)]
    if first != again:
        fail(
            f"split_dataset(dataset, seed={seed}) to give the same split every time",
            "a different split on the second call",
            "Without a generator, random_split draws from torch's global random state, which "
            "any earlier code changes. Pass generator=torch.Generator().manual_seed(seed).",
            "P7, P3",
        )
    other = [sorted(sample_ids(part)) for part in split(learner, dataset, seed + 1)]
    if other == first:
        # Contiguous ranges mean nothing was shuffled: a seed, constant or not, is not the cause.
        contiguous = all(ids == list(range(ids[0], ids[0] + len(ids))) for ids in first if ids)
        fail(
            f"seeds {seed} and {seed + 1} to give different splits",
            "the same split for both",
            CONTIGUOUS_STEP if contiguous else IGNORED_SEED_STEP,
            "P7, P3",
        )


def loaders(learner, seed: int, batch_size: int | None = None) -> tuple:
    """The checks' own 800/100/100 split (so that a split slip does not show here) and the learner's
    loaders over it."""
    generator = torch.Generator().manual_seed(seed)
    parts = random_split(NumberedDataset(N_SMALL), [0.8, 0.1, 0.1], generator=generator)
    args = () if batch_size is None else (batch_size,)
    result = learner.make_loaders(*parts, *args)
    if not (isinstance(result, (tuple, list)) and len(result) == 3):
        fail(
            "make_loaders to return three DataLoaders (train, val, test)",
            describe(result),
            "Return train_loader, val_loader, test_loader.",
            "P9",
        )
    return parts, tuple(result)


def test_loader_batches_are_100_by_8_and_100_by_1(learner, seed):
    """Check that every loader gives batches of (100, 8) features and (100, 1) targets."""
    for batch_size in (None, OTHER_BATCH):
        size = BATCH if batch_size is None else batch_size
        if batch_size is None:
            call = "make_loaders(train_set, val_set, test_set)"
        else:
            call = f"make_loaders(train_set, val_set, test_set, {batch_size})"
        _, made = loaders(learner, seed, batch_size)
        for name, loader in zip(("train", "val", "test"), made, strict=True):
            x, y = next(iter(loader))
            if tuple(x.shape) == (1, N_FEATURES):
                fail(
                    f"a {name} batch from {call} to have {size} samples",
                    f"features {describe(x)}",
                    "DataLoader's default batch_size is 1: pass batch_size=batch_size.",
                    "P9",
                )
            if (tuple(x.shape), tuple(y.shape)) != ((size, N_FEATURES), (size, 1)):
                fixed = batch_size is not None and tuple(x.shape)[:1] == (BATCH,)
                fail(
                    f"a {name} batch from {call} to be features ({size}, {N_FEATURES}) and "
                    f"targets ({size}, 1)",
                    f"features {describe(x)} and targets {describe(y)}",
                    "Pass the batch_size argument on to DataLoader instead of a fixed number."
                    if fixed
                    else "Build each DataLoader with batch_size=batch_size over its own set.",
                    "P9",
                )


def epoch_order(loader) -> list[int]:
    return [int(v) for _, y in loader for v in y.reshape(-1).tolist()]


def test_only_order_of_training_batches_is_shuffled(learner, seed):
    """Check that only the training loader shuffles, anew each epoch, and each covers its set once."""
    parts, (train_loader, val_loader, test_loader) = loaders(learner, seed, COVER_BATCH)
    # Validation and test first: a sample they leave out is missing from the reported loss.
    for name, part, loader in zip(
        ("val", "test", "train"),
        (parts[1], parts[2], parts[0]),
        (val_loader, test_loader, train_loader),
        strict=True,
    ):
        seen = epoch_order(loader)
        if sorted(seen) != sorted(sample_ids(part)):
            short = len(part) % COVER_BATCH
            dropped = (
                getattr(loader, "drop_last", False)
                and len(seen) == len(part) - short
                and set(seen) <= set(sample_ids(part))
            )
            fail(
                f"one epoch of the {name} loader (batch_size={COVER_BATCH}) to give each of its "
                f"{len(part)} samples once",
                f"{len(seen)} samples, {len(set(seen))} of them different",
                f"drop_last=True dropped the last, short batch of {short} samples. "
                + (
                    "Validation and test must see every sample, or their loss leaves some out: "
                    "leave drop_last at its default, False."
                    if name != "train"
                    else "This exercise's training loader covers every sample each epoch: leave "
                    "drop_last at its default, False."
                )
                if dropped
                else f"Build the {name} loader over the {name} set, without drop_last.",
                "P9",
            )
        if name != "train" and seen != sample_ids(part):
            fail(
                f"the {name} loader to give the {name} set's samples in their stored order",
                "them in another order",
                f"Build the {name} loader with shuffle=False (the default). Only the training "
                f"loader shuffles: the {name} loss does not depend on the order, so shuffling "
                "buys nothing, and anything reported per sample, such as the test phase's "
                "predictions CSV (P19), must line up with the data in every run.",
                "P9",
            )
    first, second = epoch_order(train_loader), epoch_order(train_loader)
    if first == sample_ids(parts[0]) or first == second:
        fail(
            "the training loader to give its samples in a new random order every epoch",
            "the same order each epoch",
            "Pass shuffle=True to the training DataLoader: batches in a fixed order make "
            "training follow the same path every epoch. Validation and test keep shuffle=False.",
            "P9",
        )
