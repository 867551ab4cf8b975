"""Mutants of evaluate (ch3_housing): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    # Named by the generic diagnosis (grader/toolkit/diagnose.py): no Mistake lists it.
    wrong("returns the total loss, not divided by the samples",
          [("    return total_loss / total_samples", "    return total_loss")],
          check="value_is_the_eval_mode_mean_loss", message="is the number of samples"),

    # --- evaluate (P11) ----------------------------------------------------------------------
    wrong("no model.eval()",
          [("    model.eval()\n", "")],
          check="runs_in_eval_mode_without_autograd", message="model.eval()"),
    wrong("no model.eval(): BatchNorm statistics drift",
          [("    model.eval()\n", "")],
          check="leaves_the_model_as_it_found_it", message="running statistics"),
    wrong("no torch.no_grad()",
          [("    with torch.no_grad():\n        for features, targets in loader:",
            "    if True:\n        for features, targets in loader:")],
          check="runs_in_eval_mode_without_autograd", message="torch.no_grad()"),
    wrong("leaves the model in eval mode",
          [("    model.train(was_training)\n", "")],
          check="leaves_the_model_as_it_found_it", message="back in training mode"),
    wrong("always back to training mode",
          [("    model.train(was_training)\n", "    model.train()\n")],
          check="leaves_the_model_as_it_found_it", message="back in eval mode"),
    wrong("E3 averaging",
          [("total_loss += loss.item() * len(features)", "total_loss += loss.item()")],
          check="value_is_the_eval_mode_mean_loss", message="erratum E3"),
    correct("torch.inference_mode and an if/else restore",
            [("    with torch.no_grad():\n        for", "    with torch.inference_mode():\n        for"),
             ("    model.train(was_training)\n",
              "    if was_training:\n        model.train()\n    else:\n        model.eval()\n")]),
    correct("summed loss divided once",
            [("loss = loss_fn(model(features), targets)\n            total_loss += loss.item() * len(features)",
              "total_loss += loss_fn(model(features), targets).item() * targets.shape[0]")]),
    # Erratum E3 lists the average of the batch means as a correct form of the mean loss.
    correct("mean of the batch means (E3's other correct form)",
            [("total_loss += loss.item() * len(features)\n            total_samples += len(features)",
              "total_loss += loss.item()\n            total_samples += 1")]),
    wrong("divided by the number of batches",
          [("total_samples += len(features)", "total_samples += 1")],
          check="value_is_the_eval_mode_mean_loss", message="divided by the number of batches"),
    wrong("loss.backward() copied from training",
          [("loss = loss_fn(model(features), targets)\n",
            "loss = loss_fn(model(features), targets)\n            loss.backward()\n")],
          check="value_is_the_eval_mode_mean_loss", message="Evaluation computes no gradients",
          status="error"),
    wrong("a tensor comes back",
          [("total_loss += loss.item() * len(features)", "total_loss += loss * len(features)")],
          check="value_is_the_eval_mode_mean_loss", message="That is a tensor, not a number"),
    wrong("return indented inside the loop",
          [("            total_samples += len(features)\n    model.train(was_training)\n"
            "    return total_loss / total_samples",
            "            total_samples += len(features)\n            model.train(was_training)\n"
            "            return total_loss / total_samples")],
          check="value_is_the_eval_mode_mean_loss", message="the first batch's mean loss alone"),
]
