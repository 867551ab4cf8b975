"""Mutants of train_epoch (ch3_housing): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    # heldout forward_under_no_grad was told step() ran before backward().
    wrong("forward pass under torch.no_grad()",
          [("        loss = loss_fn(model(features), targets)\n        loss.backward()",
            "        with torch.no_grad():\n            loss = loss_fn(model(features), targets)\n"
            "        loss.requires_grad_(True)\n        loss.backward()")],
          check="one_step_matches_reference", message="Your train_one_epoch uses torch.no_grad()"),
    # Named by the generic diagnosis (grader/toolkit/diagnose.py): no Mistake lists it.
    wrong("returns the epoch's total loss, not divided by the samples",
          [("    return total_loss / total_samples", "    return total_loss")],
          check="epoch_loss_is_the_mean_per_sample", message="10 is the number of samples"),

    # --- train_epoch (P10, E3) ---------------------------------------------------------------
    wrong("forgotten zero_grad",
          [("        optimizer.zero_grad()\n", "")],
          check="two_steps_match_reference", message="optimizer.zero_grad() before every backward()"),
    wrong("step before backward",
          [("loss.backward()\n        optimizer.step()", "optimizer.step()\n        loss.backward()")],
          check="one_step_matches_reference", message="did not move"),
    wrong("E3 averaging: sum of batch means over the sample count",
          [("total_loss += loss.item() * len(features)", "total_loss += loss.item()")],
          check="epoch_loss_is_the_mean_per_sample", message="off by a factor of the batch size"),
    # E3's other correct form (manual-map): the average of the batch means.
    correct("average of the batch means",
            [("total_samples += len(features)", "total_samples += 1"),
             ("total_loss += loss.item() * len(features)", "total_loss += loss.item()")]),
    wrong("loss tensors accumulated without item()",
          [("total_loss += loss.item() * len(features)", "total_loss += loss * len(features)")],
          check="epoch_loss_is_the_mean_per_sample", message="loss.item()"),
    correct("zero_grad after step, on the model",
            [("        optimizer.zero_grad()\n        loss = loss_fn(model(features), targets)",
              "        loss = loss_fn(model(features), targets)"),
             ("optimizer.step()\n", "optimizer.step()\n        model.zero_grad()\n")]),
    correct("batch size from the targets, sum via detach",
            [("total_loss += loss.item() * len(features)\n        total_samples += len(features)",
              "batch_size = targets.shape[0]\n        total_loss += float(loss.detach()) * batch_size\n"
              "        total_samples += batch_size")]),
    wrong("divided by the number of batches",
          [("total_samples += len(features)", "total_samples += 1")],
          check="epoch_loss_is_the_mean_per_sample", message="divided by the number of batches"),
    wrong("no optimizer.step()",
          [("        optimizer.step()\n", "")],
          check="one_step_matches_reference", message="optimizer.step() was never called"),
    wrong("zero_grad between backward and step",
          [("loss.backward()\n        optimizer.step()",
            "loss.backward()\n        optimizer.zero_grad()\n        optimizer.step()")],
          check="one_step_matches_reference",
          message="zero_grad() ran between loss.backward() and optimizer.step()"),
    wrong("a detached tensor comes back",
          [("total_loss += loss.item() * len(features)", "total_loss += loss.detach() * len(features)")],
          check="epoch_loss_is_the_mean_per_sample", message="That is a tensor, not a number"),
    correct("the sample count from len(loader.dataset)",
            [("        total_samples += len(features)\n", ""),
             ("return total_loss / total_samples", "return total_loss / len(loader.dataset)")]),
]
