"""Mutants of val_test_loss (ch6_keras): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import Diff, correct, whole, wrong

RESET = "    ### BEGIN SOLUTION\n    total, count = 0.0, 0\n    ### END SOLUTION"
ADD = "total += float(loss_fn(targets, predictions)) * batch\n        count += batch\n        ### END"

MUTANTS = [
    wrong("the manual's script: the count is not reset (E10)", [(RESET, "    total = 0.0")],
          check="losses_match_reference", message="erratum E10"),
    wrong("neither sum nor count reset", [(RESET, "    pass")],
          check="test_loss_ignores_the_validation_set", message="carries over into the test loss"),
    wrong("neither sum nor count reset, named by the value", [(RESET, "    pass")],
          check="losses_match_reference", message="neither the sum nor the count was reset"),
    wrong("only the count reset", [(RESET, "    count = 0")],
          check="losses_match_reference", message="the sum does not"),
    wrong("reset inside the test loop",
          [(RESET, "    pass"),
           ("        # TODO: Add the batch's", "        total, count = 0.0, 0\n        # TODO: Add the batch's")],
          check="losses_match_reference", message="last test batch's loss alone"),
    wrong("batch means added without their sizes (E3)",
          [(ADD, "total += float(loss_fn(targets, predictions))\n        count += batch\n        ### END")],
          check="losses_match_reference", message="erratum E3"),
    wrong("divided by the number of batches", [(ADD, ADD.replace("count += batch", "count += 1"))],
          check="losses_match_reference", message="number of batches"),
    wrong("the loss kept as a tensor",
          [(ADD, ADD.replace("float(loss_fn(targets, predictions))", "loss_fn(targets, predictions)"))],
          check="losses_match_reference", message="That is a tensor"),
    wrong("the two losses swapped", [("return val_loss, total / count", "return total / count, val_loss")],
          check="losses_match_reference", message="the two losses in the other order"),
    wrong("total, count = 0 (one value for two names)", [(RESET, "    total, count = 0")],
          check="losses_match_reference", message="Two names need two values", status="error"),
    # Erratum E3's other correct form: the mean of the batch means.
    correct("mean of the batch means",
            [(RESET, "    losses = []"),
             (ADD, "losses.append(float(loss_fn(targets, predictions)))\n        ### END"),
             ("return val_loss, total / count", "return val_loss, sum(losses) / len(losses)")]),
    # One helper, called once per set, so that nothing can carry over.
    correct("a helper that counts each set from zero", whole("helper.py")),
    correct("Keras's Mean metric, weighted by batch size", Diff('''\
@@ -36,11 +36,12 @@
     # TODO: Start the test loop's sum and sample count from zero (total, count = 0.0, 0): the
     # manual's script keeps the validation's count, so its test loss is wrong (erratum E10).
     ### BEGIN SOLUTION
-    total, count = 0.0, 0
+    mean = tf.keras.metrics.Mean()
     ### END SOLUTION
     for features, targets in test_set:
         predictions = model(features, training=False)
         batch = int(tf.shape(targets)[0])
         # TODO: Add the batch's mean loss times its size to total (float(loss_fn(...)) * batch)
         # and its size to count, as the validation loop above does.
         ### BEGIN SOLUTION
-        total += float(loss_fn(targets, predictions)) * batch
-        count += batch
+        mean.update_state(loss_fn(targets, predictions), sample_weight=batch)
         ### END SOLUTION
-    return val_loss, total / count
+    return val_loss, float(mean.result())
''')),
]
