"""Mutants for chapter 4 (CIFAR-10: transforms, the CNN, training and accuracy, the predictions CSV)."""

from tests.mutants import correct, wrong

COMPOSE = "return transforms.Compose([transforms.ToTensor(), transforms.Normalize(0.5, 0.5)])"
IMPORT_TRANSFORMS = "from torchvision import transforms"
WITH_NUMPY = "import numpy as np\nimport torch\nfrom torchvision import transforms"

CNN_INIT = """        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.relu = nn.ReLU()
"""
CNN_BLOCKS = """        x = self.relu(self.pool(self.conv1(x)))
        x = self.relu(self.pool(self.conv2(x)))
        x = self.relu(self.pool(self.conv3(x)))
"""

MUTANTS = [
    # cifar_transforms
    wrong("cifar_transforms", "no Normalize", [(COMPOSE, "return transforms.Compose([transforms.ToTensor()])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="values lie in [0, 1]"),
    wrong("cifar_transforms", "HWC from torch.from_numpy without permute",
          [(IMPORT_TRANSFORMS, WITH_NUMPY),
           (COMPOSE, "return transforms.Compose([\n        transforms.Lambda(lambda image: torch.from_numpy("
                     "np.asarray(image, dtype=np.float32) / 255)),\n        transforms.Normalize(0.5, 0.5),\n    ])")],
          check="transform_gives_chw_float32", message="PyTorch wants channels first"),
    wrong("cifar_transforms", "Normalize before ToTensor",
          [(COMPOSE, "return transforms.Compose([transforms.Normalize(0.5, 0.5), transforms.ToTensor()])")],
          check="transform_gives_chw_float32", message="Put transforms.ToTensor() first"),
    wrong("cifar_transforms", "PILToTensor keeps uint8",
          [(COMPOSE, "return transforms.Compose([transforms.PILToTensor(), transforms.Normalize(0.5, 0.5)])")],
          check="transform_gives_chw_float32", message="PILToTensor keeps the uint8"),
    wrong("cifar_transforms", "std 1 instead of 0.5",
          [(COMPOSE, "return transforms.Compose([transforms.ToTensor(), transforms.Normalize(0.5, 1.0)])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="did not divide by the std"),
    correct("cifar_transforms", "Lambda instead of Normalize",
            [(COMPOSE, "return transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: x * 2 - 1)])")]),
    correct("cifar_transforms", "per-channel Normalize",
            [(COMPOSE, "return transforms.Compose(\n        [transforms.ToTensor(), "
                       "transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]\n    )")]),
    correct("cifar_transforms", "by hand with permute in a Lambda",
            [(IMPORT_TRANSFORMS, WITH_NUMPY),
             (COMPOSE, "return transforms.Lambda(\n        lambda image: torch.from_numpy(np.asarray(image, "
                       "dtype=np.float32)).permute(2, 0, 1) / 127.5 - 1\n    )")]),
    # cnn
    wrong("cnn", "softmax inside the model", [("return self.fc3(x)", "return torch.softmax(self.fc3(x), dim=1)")],
          check="cnn_outputs_logits_not_probabilities", message="manual P18"),
    wrong("cnn", "padding 0 (Conv2d's default)",
          [("nn.Conv2d(3, 32, kernel_size=3, padding=1)", "nn.Conv2d(3, 32, kernel_size=3)"),
           ("self.conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1)", "self.conv2 = nn.Conv2d(32, 32, kernel_size=3)"),
           ("self.conv3 = nn.Conv2d(32, 32, kernel_size=3, padding=1)", "self.conv3 = nn.Conv2d(32, 32, kernel_size=3)")],
          check="cnn_conv_layers_keep_the_size", message="pass padding=1"),
    wrong("cnn", "padding 0 also fails the forward pass",
          [("nn.Conv2d(3, 32, kernel_size=3, padding=1)", "nn.Conv2d(3, 32, kernel_size=3)")],
          check="cnn_output_shape", message="32 channels x 4 x 4 = 512"),
    wrong("cnn", "flatten size from two pools", [("nn.Linear(32 * 4 * 4, 100)", "nn.Linear(32 * 8 * 8, 100)")],
          check="cnn_has_the_manuals_parameter_count", message="32 channels x 4 x 4 = 512"),
    wrong("cnn", "flatten over the batch axis too", [("x = torch.flatten(x, 1)", "x = torch.flatten(x)")],
          check="cnn_output_shape", message="keeps the batch axis"),
    wrong("cnn", "ReLU after the last layer", [("return self.fc3(x)", "return self.relu(self.fc3(x))")],
          check="cnn_outputs_logits_not_probabilities", message="the last layer has no activation"),
    wrong("cnn", "Conv2d arguments swapped",
          [("nn.Conv2d(3, 32, kernel_size=3, padding=1)", "nn.Conv2d(32, 3, kernel_size=3, padding=1)")],
          check="cnn_conv_layers_keep_the_size", message="Conv2d(in_channels, out_channels"),
    wrong("cnn", "out_features keyword from the slide (E6)",
          [("nn.Conv2d(3, 32, kernel_size=3, padding=1)", "nn.Conv2d(3, out_features=32, kernel_size=3, padding=1)")],
          check="cnn_has_the_manuals_parameter_count", message="erratum E6"),
    wrong("cnn", "F.maxpool2d from the slide (E6)",
          [("import torch\n", "import torch\nimport torch.nn.functional as F\n"),
           ("x = self.relu(self.pool(self.conv1(x)))", "x = self.relu(F.maxpool2d(self.conv1(x), 2))")],
          check="cnn_output_shape", message="erratum E6"),
    correct("cnn", "nn.Sequential",
            [(CNN_INIT, """        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(),
        )
"""),
             ("""        self.fc1 = nn.Linear(32 * 4 * 4, 100)
        self.fc2 = nn.Linear(100, 100)
        self.fc3 = nn.Linear(100, 10)""", """        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(512, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10)
        )"""),
             ("""        x = torch.flatten(x, 1)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
""", ""),
             (CNN_BLOCKS, ""),
             ("return self.fc3(x)", "return self.classifier(self.features(x))")]),
    correct("cnn", "F.relu and F.max_pool2d (P17)",
            [("import torch\n", "import torch\nimport torch.nn.functional as F\n"),
             ("        self.pool = nn.MaxPool2d(2)\n        self.relu = nn.ReLU()\n", ""),
             (CNN_BLOCKS, """        for conv in (self.conv1, self.conv2, self.conv3):
            x = F.relu(F.max_pool2d(conv(x), 2))
"""),
             ("x = self.relu(self.fc1(x))", "x = F.relu(self.fc1(x))"),
             ("x = self.relu(self.fc2(x))", "x = F.relu(self.fc2(x))")]),
    correct("cnn", "ReLU before pooling, view to flatten",
            [(CNN_BLOCKS, """        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        x = self.pool(self.relu(self.conv3(x)))
"""),
             ("x = torch.flatten(x, 1)", "x = x.view(x.size(0), -1)")]),
    # classify
    wrong("classify", "forgotten zero_grad", [("        optimizer.zero_grad()\n", "")],
          check="one_step_matches_reference", message="old gradients were still in .grad"),
    wrong("classify", "step before backward",
          [("        loss.backward()\n        optimizer.step()\n", "        optimizer.step()\n        loss.backward()\n")],
          check="one_step_matches_reference", message="step() ran before loss.backward()"),
    wrong("classify", "softmax before cross_entropy",
          [("loss = F.cross_entropy(model(images), labels)\n",
            "loss = F.cross_entropy(torch.softmax(model(images), dim=1), labels)\n")],
          check="one_step_matches_reference", message="applied softmax before F.cross_entropy"),
    wrong("classify", "float labels into cross_entropy",
          [("loss = F.cross_entropy(model(images), labels)\n", "loss = F.cross_entropy(model(images), labels.float())\n")],
          check="one_step_matches_reference", message="integer class indices"),
    wrong("classify", "one-hot labels into cross_entropy",
          [("loss = F.cross_entropy(model(images), labels)\n",
            "loss = F.cross_entropy(model(images), F.one_hot(labels, 10))\n")],
          check="one_step_matches_reference", message="not one-hot"),
    wrong("classify", "no model.eval() in accuracy", [("    model.eval()\n    correct, samples", "    correct, samples")],
          check="accuracy_counts_samples_in_eval_mode", message="Call model.eval()"),
    wrong("classify", "no torch.no_grad() in accuracy", [("with torch.no_grad():", "if True:")],
          check="accuracy_counts_samples_in_eval_mode", message="with torch.no_grad():"),
    wrong("classify", "argmax over the batch axis",
          [("predictions = model(images).argmax(dim=1)", "predictions = model(images).argmax(dim=0)")],
          check="accuracy_counts_samples_in_eval_mode", message="argmax(dim=1)"),
    wrong("classify", "mean of per-batch accuracies",
          [("            correct += (predictions == labels).sum().item()\n            samples += len(labels)\n"
            "    return correct / samples",
            "            correct += (predictions == labels).float().mean().item()\n            samples += 1\n"
            "    return correct / samples")],
          check="accuracy_counts_samples_in_eval_mode", message="mean of the per-batch accuracies"),
    wrong("classify", "training loader not shuffled",
          [("DataLoader(train_set, batch_size=batch_size, shuffle=True)",
            "DataLoader(train_set, batch_size=batch_size)")],
          check="make_loaders_batches_and_shuffles", message="shuffle=True"),
    wrong("classify", "E3 epoch loss: batch means over the sample count",
          [("total_loss += loss.item() * len(labels)", "total_loss += loss.item()")],
          check="one_step_matches_reference", message="erratum E3"),
    correct("classify", "shuffled test loader",
            [("DataLoader(test_set, batch_size=batch_size, shuffle=False)",
              "DataLoader(test_set, batch_size=batch_size, shuffle=True)")]),
    correct("classify", "nn.CrossEntropyLoss and inference_mode",
            [("loss = F.cross_entropy(model(images), labels)\n", "loss = nn.CrossEntropyLoss()(model(images), labels)\n"),
             ("with torch.no_grad():", "with torch.inference_mode():")]),
    correct("classify", "zero_grad after the step",
            [("        optimizer.zero_grad()\n", ""),
             ("        optimizer.step()\n", "        optimizer.step()\n        optimizer.zero_grad()\n"),
             ("    model.train()\n", "    model.train()\n    optimizer.zero_grad()\n")]),
    # predictions_csv
    wrong("predictions_csv", "confidence from raw logits",
          [("probabilities = torch.softmax(model(images), dim=1)", "probabilities = model(images)")],
          check="predict_gives_argmax_and_softmax_confidence", message="raw logits"),
    wrong("predictions_csv", "softmax over the batch axis",
          [("probabilities = torch.softmax(model(images), dim=1)", "probabilities = torch.softmax(model(images), dim=0)")],
          check="predict_gives_argmax_and_softmax_confidence", message="softmax over the batch axis"),
    wrong("predictions_csv", "predictions from the wrong axis",
          [("confidences, predictions = probabilities.max(dim=1)", "confidences, predictions = probabilities.max(dim=0)")],
          check="predict_gives_argmax_and_softmax_confidence", message="max over the batch axis"),
    wrong("predictions_csv", "max's values and indices swapped",
          [("return predictions, confidences", "return confidences, predictions")],
          check="predict_gives_argmax_and_softmax_confidence", message="(values, indices)"),
    wrong("predictions_csv", "missing header",
          [('        writer.writerow(["prediction", "confidence", "answer"])\n', "")],
          check="csv_has_header_and_one_row_per_sample", message="Write the header first"),
    wrong("predictions_csv", "prediction and answer columns swapped",
          [("zip(predictions.tolist(), confidences.tolist(), labels.tolist())",
            "zip(labels.tolist(), confidences.tolist(), predictions.tolist())")],
          check="csv_has_header_and_one_row_per_sample", message="two columns swapped"),
    wrong("predictions_csv", "header in another order",
          [('writer.writerow(["prediction", "confidence", "answer"])',
            'writer.writerow(["answer", "prediction", "confidence"])')],
          check="csv_has_header_and_one_row_per_sample", message="columns are in another order"),
    correct("predictions_csv", "F.softmax, argmax and rounded text rows",
            [("import torch\n", "import torch\nimport torch.nn.functional as F\n"),
             ("""        probabilities = torch.softmax(model(images), dim=1)
    confidences, predictions = probabilities.max(dim=1)""",
              """        probabilities = F.softmax(model(images), dim=1)
    predictions = probabilities.argmax(dim=1)
    confidences = probabilities.max(dim=1).values"""),
             ("""            for row in zip(predictions.tolist(), confidences.tolist(), labels.tolist()):
                writer.writerow(row)""",
              """            for p, c, a in zip(predictions, confidences, labels):
                f.write(f"{int(p)},{float(c):.4f},{int(a)}\\n")""")]),

    # Promoted from the beginner set (tests/beginners/ch4_cifar): cifar_transforms
    wrong("cifar_transforms", "ImageNet mean and std",
          [(COMPOSE, "return transforms.Compose([transforms.ToTensor(), transforms.Normalize("
                     "(0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="ImageNet statistics"),
    wrong("cifar_transforms", "CIFAR-10's own per-channel statistics",
          [(COMPOSE, "return transforms.Compose([transforms.ToTensor(), transforms.Normalize("
                     "(0.4914, 0.4822, 0.4465), (0.247, 0.243, 0.261))])")],
          check="transform_works_as_cifar10_transform", message="per-channel statistics of the CIFAR-10"),
    wrong("cifar_transforms", "scaled by 255 twice",
          [(COMPOSE, "return transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: x / 255), "
                     "transforms.Normalize(0.5, 0.5)])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="divided by 255 twice"),
    wrong("cifar_transforms", "not scaled by 1/255 before Normalize",
          [(IMPORT_TRANSFORMS, WITH_NUMPY),
           (COMPOSE, "return transforms.Compose([\n        transforms.Lambda(lambda image: torch.from_numpy("
                     "np.array(image)).permute(2, 0, 1).float()),\n        transforms.Normalize(0.5, 0.5),\n    ])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="not scaled by 1/255"),
    wrong("cifar_transforms", "permute(2, 1, 0) swaps height and width",
          [(IMPORT_TRANSFORMS, WITH_NUMPY),
           (COMPOSE, "return transforms.Compose([\n        transforms.Lambda(lambda image: torch.from_numpy("
                     "np.asarray(image, dtype=np.float32) / 255).permute(2, 1, 0)),\n"
                     "        transforms.Normalize(0.5, 0.5),\n    ])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="permute(2, 0, 1)"),
    wrong("cifar_transforms", "reshape instead of permute",
          [(IMPORT_TRANSFORMS, WITH_NUMPY),
           (COMPOSE, "return transforms.Compose([\n        transforms.Lambda(lambda image: torch.from_numpy("
                     "np.asarray(image, dtype=np.float32) / 255).reshape(3, 32, 32)),\n"
                     "        transforms.Normalize(0.5, 0.5),\n    ])")],
          check="transform_maps_pixels_to_minus_one_to_one", message="reshape(3, 32, 32)"),
    wrong("cifar_transforms", "float64 from NumPy",
          [(IMPORT_TRANSFORMS, WITH_NUMPY),
           (COMPOSE, "return transforms.Lambda(\n        lambda image: torch.from_numpy(np.asarray(image)"
                     ".transpose(2, 0, 1) / 127.5 - 1)\n    )")],
          check="transform_gives_chw_float32", message="float64 usually comes from NumPy"),
    # cnn
    wrong("cnn", "average pooling", [("self.pool = nn.MaxPool2d(2)", "self.pool = nn.AvgPool2d(2)")],
          check="cnn_matches_reference_with_copied_weights", message="Your pooling averages"),
    wrong("cnn", "no ReLU after fc2", [("x = self.relu(self.fc2(x))", "x = self.fc2(x)")],
          check="cnn_matches_reference_with_copied_weights", message="leaves out the ReLU after fc2"),
    wrong("cnn", "no ReLU after the conv blocks",
          [(CNN_BLOCKS, """        x = self.pool(self.conv1(x))
        x = self.pool(self.conv2(x))
        x = self.pool(self.conv3(x))
""")],
          check="cnn_matches_reference_with_copied_weights", message="the max-pool of conv blocks 1, 2, 3"),
    wrong("cnn", "in_channels 3 for conv2",
          [("self.conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1)", "self.conv2 = nn.Conv2d(3, 32, kernel_size=3, padding=1)")],
          check="cnn_conv_layers_keep_the_size", message="conv2 gets the 32 channels that conv1 makes"),
    wrong("cnn", "third max-pool missing",
          [("x = self.relu(self.pool(self.conv3(x)))", "x = self.relu(self.conv3(x))")],
          check="cnn_output_shape", message="one of the three max-pools is missing"),
    wrong("cnn", "no padding anywhere: a 2x2 map",
          [("nn.Conv2d(3, 32, kernel_size=3, padding=1)", "nn.Conv2d(3, 32, kernel_size=3)"),
           ("self.conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1)", "self.conv2 = nn.Conv2d(32, 32, kernel_size=3)"),
           ("self.conv3 = nn.Conv2d(32, 32, kernel_size=3, padding=1)", "self.conv3 = nn.Conv2d(32, 32, kernel_size=3)")],
          check="cnn_output_shape", message="a 2x2 map"),
    wrong("cnn", "view(-1) flattens the batch axis",
          [("x = torch.flatten(x, 1)", "x = x.view(-1)")],
          check="cnn_output_shape", message="flattened the batch axis"),
    correct("cnn", "Linear layers defined before the convolutions",
            [("""        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
""", ""),
             ("        self.fc3 = nn.Linear(100, 10)\n", """        self.fc3 = nn.Linear(100, 10)
        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
""")]),
    # classify
    wrong("classify", "zero_grad between backward and step",
          [("        optimizer.zero_grad()\n", ""),
           ("        loss.backward()\n        optimizer.step()\n",
            "        loss.backward()\n        optimizer.zero_grad()\n        optimizer.step()\n")],
          check="one_step_matches_reference", message="between loss.backward() and optimizer.step()"),
    # Erratum E3 lists the average of the batch means as a correct form of the epoch loss.
    correct("classify", "epoch loss averaged over batches (E3's second correct form)",
            [("total_loss += loss.item() * len(labels)\n        samples += len(labels)",
              "total_loss += loss.item()\n        samples += 1")]),
    wrong("classify", "test loader first",
          [("return train_loader, test_loader", "return test_loader, train_loader")],
          check="make_loaders_batches_and_shuffles", message="Return the training loader first"),
    wrong("classify", "test loader drops its last batch",
          [("DataLoader(test_set, batch_size=batch_size, shuffle=False)",
            "DataLoader(test_set, batch_size=batch_size, shuffle=False, drop_last=True)")],
          check="make_loaders_batches_and_shuffles", message="keep drop_last off"),
    wrong("classify", "accuracy as a tensor",
          [("correct += (predictions == labels).sum().item()", "correct += (predictions == labels).sum()")],
          check="accuracy_counts_samples_in_eval_mode", message="Add .item()"),
    wrong("classify", "accuracy over the number of batches",
          [("            samples += len(labels)\n    return correct / samples",
            "            samples += len(labels)\n    return correct / len(loader)")],
          check="accuracy_counts_samples_in_eval_mode", message="len(loader), the number of batches"),
    correct("classify", "accuracy over len(loader.dataset)",
            [("            samples += len(labels)\n    return correct / samples",
              "            samples += len(labels)\n    return correct / len(loader.dataset)")]),
    # predictions_csv
    wrong("predictions_csv", "log_softmax as the confidence",
          [("probabilities = torch.softmax(model(images), dim=1)", "probabilities = torch.log_softmax(model(images), dim=1)")],
          check="predict_gives_argmax_and_softmax_confidence", message="log-probabilities (log_softmax)"),
    wrong("predictions_csv", "sigmoid as the confidence",
          [("probabilities = torch.softmax(model(images), dim=1)", "probabilities = torch.sigmoid(model(images))")],
          check="predict_gives_argmax_and_softmax_confidence", message="sigmoids of the logits"),
    wrong("predictions_csv", "confidences outside torch.no_grad()",
          [("    with torch.no_grad():\n        # The model outputs logits (no softmax inside, P18), so softmax happens here.\n"
            "        probabilities = torch.softmax(model(images), dim=1)",
            "    probabilities = torch.softmax(model(images), dim=1)")],
          check="predict_gives_argmax_and_softmax_confidence", message="requires_grad=True"),
    wrong("predictions_csv", "header once per batch",
          [('        writer.writerow(["prediction", "confidence", "answer"])\n        for images, labels in loader:\n',
            '        for images, labels in loader:\n            writer.writerow(["prediction", "confidence", "answer"])\n')],
          check="csv_has_header_and_one_row_per_sample", message="Write the header once"),
    wrong("predictions_csv", "rows of the last batch only",
          [("""            predictions, confidences = predict(model, images.to(device))
            for row in zip(predictions.tolist(), confidences.tolist(), labels.tolist()):
                writer.writerow(row)""",
            """            predictions, confidences = predict(model, images.to(device))
        for row in zip(predictions.tolist(), confidences.tolist(), labels.tolist()):
            writer.writerow(row)""")],
          check="csv_has_header_and_one_row_per_sample", message="the last batch only"),
    wrong("predictions_csv", "prediction written as the answer",
          [("zip(predictions.tolist(), confidences.tolist(), labels.tolist())",
            "zip(predictions.tolist(), confidences.tolist(), predictions.tolist())")],
          check="csv_has_header_and_one_row_per_sample", message="repeats the predictions"),
    wrong("predictions_csv", "(values, indices) order reaches the CSV",
          [("return predictions, confidences", "return confidences, predictions")],
          check="csv_has_header_and_one_row_per_sample", message="the wrong way round"),
]
