"""Mutants of tf_seed (ch6_tensorflow): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    wrong("seed passed as thread counts (E2)",
          [("tf.keras.utils.set_random_seed(seed)  #",
            "tf.config.threading.set_inter_op_parallelism_threads(seed)\n"
            "    tf.config.threading.set_intra_op_parallelism_threads(seed)  #")],
          check="thread_counts_are_left_alone", message="erratum E2"),
    wrong("seed passed as thread counts, seen from the draws",
          [("tf.keras.utils.set_random_seed(seed)  #",
            "tf.config.threading.set_inter_op_parallelism_threads(seed)\n"
            "    tf.config.threading.set_intra_op_parallelism_threads(seed)  #")],
          check="same_seed_gives_same_draws", message="set_intra_op_parallelism_threads (erratum E2)"),
    wrong("tf.random.set_seed only",
          [("tf.keras.utils.set_random_seed(seed)  #", "tf.random.set_seed(seed)  #")],
          check="same_seed_gives_same_draws", message="tf.random.set_seed seeds TF only"),
    wrong("fixed seed",
          [("tf.keras.utils.set_random_seed(seed)  #", "tf.keras.utils.set_random_seed(42)  #")],
          check="different_seeds_give_different_draws", message="not a fixed number"),
    wrong("no op determinism",
          [("    tf.config.experimental.enable_op_determinism()\n", "")],
          check="op_determinism_is_enabled", message="enable_op_determinism()"),
    correct("each generator by hand",
            [("tf.keras.utils.set_random_seed(seed)  #",
              "import random\n\n    import numpy as np\n\n    random.seed(seed)\n    np.random.seed(seed)\n"
              "    tf.random.set_seed(seed)\n    tf.keras.utils.set_random_seed(seed)  #")]),
    wrong("the seeding function assigned, not called",
          [("tf.keras.utils.set_random_seed(seed)  #", "tf.keras.utils.set_random_seed = seed  #")],
          check="same_seed_gives_same_draws", message="replaces the function"),
    wrong("NumPy through default_rng",
          [("tf.keras.utils.set_random_seed(seed)  #",
            "import random\n\n    import numpy as np\n\n    random.seed(seed)\n    np.random.default_rng(seed)\n"
            "    tf.random.set_seed(seed)  #")],
          check="same_seed_gives_same_draws", message="default_rng(seed) makes a new"),
    wrong("Python's random left out",
          [("tf.keras.utils.set_random_seed(seed)  #",
            "import numpy as np\n\n    np.random.seed(seed)\n    tf.random.set_seed(seed)  #")],
          check="same_seed_gives_same_draws", message="Python's random is not reseeded"),
    correct("by hand, without set_random_seed (Keras 3 weights follow Python's random)",
            [("tf.keras.utils.set_random_seed(seed)  #",
              "import random\n\n    import numpy as np\n\n    random.seed(seed)\n    np.random.seed(seed)\n"
              "    tf.random.set_seed(seed)  #")]),
    correct("standalone Keras 3's set_random_seed",
            [("tf.keras.utils.set_random_seed(seed)  #", "import keras\n\n    keras.utils.set_random_seed(seed)  #")]),
]
