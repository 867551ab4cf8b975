"""Mutants of autograd (ch2_pytorch): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    # heldout backward_twice was told a constant was added, left out or inverted.
    wrong("backward called twice",
          [("    z.backward()", "    z.backward(retain_graph=True)\n    z.backward()")],
          check="leaf_gradients_match_analytic", message="calls .backward() 2 times"),
    # Named by the generic diagnosis (grader/toolkit/diagnose.py, grader/explain.py): no check
    # lists these slips.
    wrong("retain_grad without the call",
          [("    y.retain_grad()\n", "    y.retain_grad\n")],
          check="intermediate_gradient_is_retained", message="`y.retain_grad`, names the method without calling it"),

    # --- autograd (P2, E6) ----------------------------------------------------------------
    wrong("integer tensors with requires_grad",
          [("x1 = torch.tensor(x1, dtype=torch.float32, requires_grad=True)\n"
            "    x2 = torch.tensor(x2, dtype=torch.float32, requires_grad=True)",
            "x1 = torch.tensor(x1, requires_grad=True)\n"
            "    x2 = torch.tensor(x2, requires_grad=True)")],
          check="z_matches_manual_example", message="needs a floating-point dtype"),
    wrong("the manual's require_grad spelling",
          [("x1 = torch.tensor(x1, dtype=torch.float32, requires_grad=True)",
            "x1 = torch.tensor(x1, dtype=torch.float32, require_grad=True)")],
          check="z_matches_manual_example", message="erratum E6"),
    wrong("requires_grad forgotten",
          [("x1 = torch.tensor(x1, dtype=torch.float32, requires_grad=True)\n"
            "    x2 = torch.tensor(x2, dtype=torch.float32, requires_grad=True)",
            "x1 = torch.tensor(x1, dtype=torch.float32)\n"
            "    x2 = torch.tensor(x2, dtype=torch.float32)")],
          check="z_matches_manual_example", message="Nothing z depends on requires grad"),
    wrong("retain_grad missing",
          [("    y.retain_grad()\n", "")],
          check="intermediate_gradient_is_retained", message="Call y.retain_grad() before"),
    wrong("retain_grad after backward",
          [("    y.retain_grad()\n    z = (y**3).sum()\n    z.backward()\n",
            "    z = (y**3).sum()\n    z.backward()\n    y.retain_grad()\n")],
          check="intermediate_gradient_is_retained", message="Call y.retain_grad() before"),
    wrong("grads read before backward",
          [("    z.backward()\n    ### END SOLUTION\n    return z, x1.grad, x2.grad, y.grad",
            "    grads = (x1.grad, x2.grad, y.grad)\n    z.backward()\n    ### END SOLUTION\n"
            "    return z, *grads")],
          check="leaf_gradients_match_analytic", message="filled in only by z.backward()"),
    wrong("backward on a non-scalar",
          [("z = (y**3).sum()\n", "z = y**3\n")],
          check="z_matches_manual_example", message="backward() works on a single number only"),
    wrong("mean instead of sum",
          [("z = (y**3).sum()\n", "z = (y**3).mean()\n")],
          check="z_matches_manual_example", message="That is the mean of y³"),
    wrong("cube of the sum",
          [("z = (y**3).sum()\n", "z = y.sum() ** 3\n")],
          check="z_matches_manual_example", message="(sum of y)³"),
    wrong("x1 made non-leaf by .float()",
          [("x1 = torch.tensor(x1, dtype=torch.float32, requires_grad=True)",
            "x1 = torch.tensor(x1, dtype=torch.float64, requires_grad=True).float()")],
          check="leaf_gradients_match_analytic", message="Only leaf tensors keep .grad"),
    correct("requires_grad_ after float()",
            [("x1 = torch.tensor(x1, dtype=torch.float32, requires_grad=True)\n"
              "    x2 = torch.tensor(x2, dtype=torch.float32, requires_grad=True)",
              "x1 = torch.tensor(x1).float().requires_grad_()\n"
              "    x2 = torch.tensor(x2).float()\n    x2.requires_grad = True")]),
    correct("torch.sum(y * y * y) as in the sample script",
            [("z = (y**3).sum()\n", "z = torch.sum(y * y * y)\n")]),
    correct("torch.autograd.grad instead of backward and .grad",
            [("    y.retain_grad()\n    z = (y**3).sum()\n    z.backward()\n    ### END SOLUTION\n"
              "    return z, x1.grad, x2.grad, y.grad",
              "    z = (y**3).sum()\n    ### END SOLUTION\n"
              "    return z, *torch.autograd.grad(z, [x1, x2, y])")]),
    wrong("float64 tensors (the docstring promises float32)",
          [("x1 = torch.tensor(x1, dtype=torch.float32, requires_grad=True)\n"
            "    x2 = torch.tensor(x2, dtype=torch.float32, requires_grad=True)",
            "x1 = torch.tensor(x1, dtype=torch.float64, requires_grad=True)\n"
            "    x2 = torch.tensor(x2, dtype=torch.float64, requires_grad=True)")],
          check="z_matches_manual_example", message="promises float32"),
    wrong("sum of y without the cubes",
          [("z = (y**3).sum()\n", "z = y.sum()\n")],
          check="leaf_gradients_match_analytic", message="gradient of z = y.sum()"),
    wrong("requires_grad assigned on the non-leaf y",
          [("    y.retain_grad()\n", "    y.requires_grad = True\n")],
          check="z_matches_manual_example", message="it is not a leaf"),
    wrong("x2 created without requires_grad",
          [("x2 = torch.tensor(x2, dtype=torch.float32, requires_grad=True)",
            "x2 = torch.tensor(x2, dtype=torch.float32)")],
          check="leaf_gradients_match_analytic", message="x2 never got requires_grad=True"),
    wrong("z returned as a Python number",
          [("return z, x1.grad, x2.grad, y.grad", "return z.item(), x1.grad, x2.grad, y.grad")],
          check="z_matches_manual_example", message="Return the tensor z itself"),
]
