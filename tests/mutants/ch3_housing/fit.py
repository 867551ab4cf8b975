"""Mutants of fit (ch3_housing): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    # Named by the generic diagnosis (grader/toolkit/diagnose.py, grader/explain.py), or a
    # message that must not name a cause the code does not have.
    wrong("returns a deep copy of the last epoch's state",
          [("        ### END SOLUTION\n    return best_state, val_losses",
            "        ### END SOLUTION\n    best_state = copy.deepcopy(model.state_dict())\n"
            "    return best_state, val_losses")],
          check="returns_the_best_epoch_not_the_last", message="copy of the last epoch's weights",
          must_not=("share memory", "live parameters")),

    # --- fit (T11) ---------------------------------------------------------------------------
    wrong("keeps a reference to state_dict() instead of a copy",
          [("best_state = copy.deepcopy(model.state_dict())\n            epochs_without_improvement = 0",
            "best_state = model.state_dict()\n            epochs_without_improvement = 0")],
          check="returns_the_best_epoch_not_the_last", message="copy.deepcopy(model.state_dict())"),
    wrong("shallow dict copy shares the tensors",
          [("best_state = copy.deepcopy(model.state_dict())\n            epochs_without_improvement = 0",
            "best_state = dict(model.state_dict())\n            epochs_without_improvement = 0")],
          check="returns_the_best_epoch_not_the_last", message="live parameters"),
    wrong("no early stopping",
          [("            if epochs_without_improvement >= patience:\n                break\n", "")],
          check="stops_after_patience_epochs_without_improvement", message="no early stopping"),
    wrong("count not reset on improvement",
          [("            best_state = copy.deepcopy(model.state_dict())\n            epochs_without_improvement = 0",
            "            best_state = copy.deepcopy(model.state_dict())")],
          check="stops_after_patience_epochs_without_improvement", message="reset the count"),
    wrong("one epoch late",
          [("if epochs_without_improvement >= patience:", "if epochs_without_improvement > patience:")],
          check="stops_after_patience_epochs_without_improvement", message="too late"),
    wrong("validates twice per epoch",
          [("if val_loss < best_loss:", "if validate() < best_loss:")],
          check="validates_once_per_epoch", message="exactly once per epoch"),
    wrong("scheduler stepped without the validation loss",
          [("            scheduler.step(val_loss)", "            scheduler.step()")],
          check="steps_the_scheduler_with_the_validation_loss", message="scheduler.step(val_loss)",
          status="error"),
    correct("cloned tensors and a best-epoch index",
            [("best_state = copy.deepcopy(model.state_dict())\n            epochs_without_improvement = 0",
              "best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}\n"
              "            best_epoch = epoch"),
             ("        else:\n            epochs_without_improvement += 1\n"
              "            if epochs_without_improvement >= patience:\n                break",
              "        elif epoch - best_epoch >= patience:\n            break")]),
    correct("a deep copy of the whole model",
            [("best_state = copy.deepcopy(model.state_dict())\n            epochs_without_improvement = 0",
              "best_state = copy.deepcopy(model).state_dict()\n            epochs_without_improvement = 0")]),
    wrong("deep copy every epoch",
          [("        if val_loss < best_loss:\n            best_loss = val_loss",
            "        best_state = copy.deepcopy(model.state_dict())\n"
            "        if val_loss < best_loss:\n            best_loss = val_loss")],
          check="returns_the_best_epoch_not_the_last", message="copy of the last epoch's weights"),
    wrong("deep copy every epoch, seen on a real model",
          [("        if val_loss < best_loss:\n            best_loss = val_loss",
            "        best_state = copy.deepcopy(model.state_dict())\n"
            "        if val_loss < best_loss:\n            best_loss = val_loss")],
          check="best_state_of_a_real_run_matches_reference", message="a worse epoch's weights"),
    wrong("best_loss never updated",
          [("            best_loss = val_loss\n", "")],
          check="returns_the_best_epoch_not_the_last", message="every epoch counted as a new best"),
    wrong("a tie counts as an improvement",
          [("if val_loss < best_loss:", "if val_loss <= best_loss:")],
          check="stops_after_patience_epochs_without_improvement", message="not <="),
    wrong("scheduler stepped when there is none",
          [("        if scheduler is not None:\n            scheduler.step(val_loss)",
            "        scheduler.step(val_loss)")],
          check="returns_the_best_epoch_not_the_last", message="if scheduler is not None",
          status="error"),
    correct("the best weights loaded back into the model",
            [("    return best_state, val_losses", "    model.load_state_dict(best_state)\n"
              "    return best_state, val_losses")]),
    wrong("early stop breaks before appending the last loss",
          [("        val_losses.append(val_loss)\n", ""),
           ("                break\n",
            "                break\n        val_losses.append(val_loss)\n")],
          check="stops_after_patience_epochs_without_improvement", message="last epoch's validation loss is missing"),
]
