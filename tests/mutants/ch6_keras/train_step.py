"""Mutants of train_step (ch6_keras): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

EPOCH_MEAN = '''        batch_losses = [float(train_step(images, labels)) for images, labels in dataset]
        epoch_losses.append(sum(batch_losses) / len(batch_losses))
'''

MUTANTS = [
    wrong("loss_fn(outputs, labels) as in torch",
          [("            loss = loss_fn(labels, outputs)\n", "            loss = loss_fn(outputs, labels)\n")],
          check="one_step_matches_reference", message="labels first"),
    wrong("apply_gradients without zip (E6)",
          [("        optimizer.apply_gradients(zip(grads, model.trainable_weights))\n",
            "        optimizer.apply_gradients(grads, model.trainable_weights)\n")],
          check="one_step_matches_reference", message="erratum E6"),
    wrong("zip(weights, grads)",
          [("        optimizer.apply_gradients(zip(grads, model.trainable_weights))\n",
            "        optimizer.apply_gradients(zip(model.trainable_weights, grads))\n")],
          check="one_step_matches_reference", message="Zip the gradients first"),
    wrong("gradients for the first layer only",
          [("        grads = tape.gradient(loss, model.trainable_weights)\n",
            "        grads = tape.gradient(loss, model.trainable_weights[:2])\n")],
          check="one_step_matches_reference", message="with respect to all of model.trainable_weights"),
    wrong("loss computed outside the tape",
          [("            loss = loss_fn(labels, outputs)\n", "        loss = loss_fn(labels, outputs)\n")],
          check="one_step_matches_reference", message="only records what runs inside"),
    wrong("no @tf.function",
          [("    @tf.function\n", "")],
          check="make_train_step_returns_a_tf_function", message="@tf.function"),
    wrong("epoch loss divided by the sample count (E3)",
          [(EPOCH_MEAN,
            "        total, samples = 0.0, 0\n"
            "        for images, labels in dataset:\n"
            "            total += float(train_step(images, labels))\n"
            "            samples += len(labels)\n"
            "        epoch_losses.append(total / samples)\n")],
          check="train_epochs_returns_mean_batch_loss_per_epoch", message="erratum E3"),
    wrong("epoch loss is the last batch's",
          [("epoch_losses.append(sum(batch_losses) / len(batch_losses))", "epoch_losses.append(batch_losses[-1])")],
          check="train_epochs_returns_mean_batch_loss_per_epoch", message="the last batch's loss of its epoch"),
    correct("epoch mean with tf.keras.metrics.Mean",
            [(EPOCH_MEAN,
              "        mean = tf.keras.metrics.Mean()\n"
              "        for images, labels in dataset:\n"
              "            mean.update_state(train_step(images, labels))\n"
              "        epoch_losses.append(float(mean.result()))\n")]),
    wrong("no training=True in the step",
          [("            outputs = model(images, training=True)\n", "            outputs = model(images)\n")],
          check="step_runs_the_model_in_training_mode", message="Pass training=True"),
    wrong("training=False in the step",
          [("            outputs = model(images, training=True)\n",
            "            outputs = model(images, training=False)\n")],
          check="step_runs_the_model_in_training_mode", message="with training=False"),
    correct("trainable_variables and optimizer.apply",
            [("        grads = tape.gradient(loss, model.trainable_weights)\n",
              "        grads = tape.gradient(loss, model.trainable_variables)\n"),
             ("        optimizer.apply_gradients(zip(grads, model.trainable_weights))\n",
              "        optimizer.apply(grads, model.trainable_variables)\n")]),
    wrong(".numpy() inside the tf.function",
          [("        return loss\n", "        return loss.numpy()\n")],
          check="one_step_matches_reference", message="symbolic tensors", status="error"),
    wrong("model.predict inside the tape",
          [("            outputs = model(images, training=True)\n", "            outputs = model.predict(images)\n")],
          check="one_step_matches_reference", message="model.predict cannot run inside @tf.function", status="error"),
    wrong("batch losses never reset between epochs",
          [("    epoch_losses = []\n", "    epoch_losses = []\n    batch_losses = []\n"),
           ("        batch_losses = [float(", "        batch_losses += [float(")],
          check="train_epochs_returns_mean_batch_loss_per_epoch", message="reset the list of batch losses"),
    wrong("epoch means as tensors",
          [("epoch_losses.append(sum(batch_losses) / len(batch_losses))",
            "epoch_losses.append(tf.reduce_mean(batch_losses))")],
          check="train_epochs_returns_mean_batch_loss_per_epoch", message="Python floats"),
    correct("batch means weighted by batch size (E3's other correct form)",
            [(EPOCH_MEAN,
              "        total, samples = 0.0, 0\n"
              "        for images, labels in dataset:\n"
              "            total += float(train_step(images, labels)) * len(labels)\n"
              "            samples += len(labels)\n"
              "        epoch_losses.append(total / samples)\n")]),
]
