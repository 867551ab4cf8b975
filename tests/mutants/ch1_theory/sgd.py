"""Mutants of sgd (ch1_theory): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    # Named by the generic diagnosis (grader/toolkit/diagnose.py, grader/explain.py): no check
    # lists these slips.
    wrong("params and grads mixed up in the loop",
          [("return {name: value - lr * grads[name] for name, value in params.items()}",
            "return {name: value - lr * params[name] for name, value in grads.items()}")],
          check="sgd_step_on_manual_example", message="`params` and `grads` exchanged"),

    wrong("gradient added",
          [("value - lr * grads[name]", "value + lr * grads[name]")],
          check="sgd_step_on_manual_example", message="added the gradient"),
    wrong("learning rate ignored",
          [("value - lr * grads[name]", "value - grads[name]")],
          check="sgd_step_matches_reference", message="ignored the learning rate"),
    wrong("updates the caller's arrays in place",
          [("return {name: value - lr * grads[name] for name, value in params.items()}",
            "for name in params:\n        params[name] -= lr * grads[name]\n    return params")],
          check="sgd_step_leaves_its_inputs_alone", message="in place"),
    wrong("assigns into the caller's dict",
          [("return {name: value - lr * grads[name] for name, value in params.items()}",
            "for name in params:\n        params[name] = params[name] - lr * grads[name]\n    return params")],
          check="sgd_step_leaves_its_inputs_alone", message="replaced the entries"),
    wrong("params and grads paired by position",
          [("return {name: value - lr * grads[name] for name, value in params.items()}",
            "return {name: value - lr * g for (name, value), g in zip(params.items(), grads.values())}")],
          check="sgd_step_matches_reference", message="by position"),
    wrong("shallow copy of the dict, arrays updated in place",
          [("return {name: value - lr * grads[name] for name, value in params.items()}",
            "new_params = params.copy()\n    for name in new_params:\n        new_params[name] -= lr * grads[name]\n"
            "    return new_params")],
          check="sgd_step_leaves_its_inputs_alone", message="shallow copy"),
    wrong("return inside the loop",
          [("return {name: value - lr * grads[name] for name, value in params.items()}",
            "new_params = {}\n    for name in params:\n        new_params[name] = params[name] - lr * grads[name]\n"
            "        return new_params")],
          check="sgd_step_matches_reference", message="inside the for loop"),
    correct("copy.deepcopy, then subtract into the copies by sorted name",
            [("return {name: value - lr * grads[name] for name, value in params.items()}",
              "import copy\n\n    new_params = copy.deepcopy(params)\n    for name in sorted(grads):\n"
              "        np.subtract(new_params[name], lr * grads[name], out=new_params[name])\n    return new_params")]),
    correct("loop into a new dict",
            [("return {name: value - lr * grads[name] for name, value in params.items()}",
              "new_params = {}\n    for name in params:\n        new_params[name] = np.subtract(params[name], lr * grads[name])\n"
              "    return new_params")]),
    correct("copy then subtract in place",
            [("return {name: value - lr * grads[name] for name, value in params.items()}",
              "new_params = {name: value.copy() for name, value in params.items()}\n"
              "    for name in new_params:\n        new_params[name] -= lr * grads[name]\n    return new_params")]),
]
