"""Mutants of predictions_csv (ch4_cifar): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    # Named by the generic diagnosis (grader/toolkit/diagnose.py, grader/explain.py): no check
    # lists these slips.
    wrong("confidence in percent",
          [("    return predictions, confidences", "    return predictions, confidences * 100")],
          check="predict_gives_argmax_and_softmax_confidence", message="they are percentages"),
    wrong("predictions are the (B, 10) probabilities, not their argmax",
          [("    return predictions, confidences", "    return probabilities, confidences")],
          check="predict_gives_argmax_and_softmax_confidence", message="Return the index of the largest score, not the scores: .argmax(dim=1)"),

    wrong("confidence from raw logits",
          [("probabilities = torch.softmax(model(images), dim=1)", "probabilities = model(images)")],
          check="predict_gives_argmax_and_softmax_confidence", message="raw logits"),
    wrong("softmax over the batch axis",
          [("probabilities = torch.softmax(model(images), dim=1)", "probabilities = torch.softmax(model(images), dim=0)")],
          check="predict_gives_argmax_and_softmax_confidence", message="softmax over the batch axis"),
    wrong("predictions from the wrong axis",
          [("confidences, predictions = probabilities.max(dim=1)", "confidences, predictions = probabilities.max(dim=0)")],
          check="predict_gives_argmax_and_softmax_confidence", message="max over the batch axis"),
    wrong("max's values and indices swapped",
          [("return predictions, confidences", "return confidences, predictions")],
          check="predict_gives_argmax_and_softmax_confidence", message="(values, indices)"),
    wrong("missing header",
          [('        writer.writerow(["prediction", "confidence", "answer"])\n', "")],
          check="csv_has_header_and_one_row_per_sample", message="Write the header first"),
    wrong("prediction and answer columns swapped",
          [("zip(predictions.tolist(), confidences.tolist(), labels.tolist())",
            "zip(labels.tolist(), confidences.tolist(), predictions.tolist())")],
          check="csv_has_header_and_one_row_per_sample", message="two columns swapped"),
    wrong("header in another order",
          [('writer.writerow(["prediction", "confidence", "answer"])',
            'writer.writerow(["answer", "prediction", "confidence"])')],
          check="csv_has_header_and_one_row_per_sample", message="columns are in another order"),
    correct("F.softmax, argmax and rounded text rows",
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
    wrong("log_softmax as the confidence",
          [("probabilities = torch.softmax(model(images), dim=1)", "probabilities = torch.log_softmax(model(images), dim=1)")],
          check="predict_gives_argmax_and_softmax_confidence", message="log-probabilities (log_softmax)"),
    wrong("sigmoid as the confidence",
          [("probabilities = torch.softmax(model(images), dim=1)", "probabilities = torch.sigmoid(model(images))")],
          check="predict_gives_argmax_and_softmax_confidence", message="sigmoids of the logits"),
    wrong("confidences outside torch.no_grad()",
          [("    with torch.no_grad():\n        # The model outputs logits (no softmax inside, P18), so softmax happens here.\n"
            "        probabilities = torch.softmax(model(images), dim=1)",
            "    probabilities = torch.softmax(model(images), dim=1)")],
          check="predict_gives_argmax_and_softmax_confidence", message="requires_grad=True"),
    wrong("header once per batch",
          [('        writer.writerow(["prediction", "confidence", "answer"])\n        for images, labels in loader:\n',
            '        for images, labels in loader:\n            writer.writerow(["prediction", "confidence", "answer"])\n')],
          check="csv_has_header_and_one_row_per_sample", message="Write the header once"),
    wrong("rows of the last batch only",
          [("""            predictions, confidences = predict(model, images.to(device))
            for row in zip(predictions.tolist(), confidences.tolist(), labels.tolist()):
                writer.writerow(row)""",
            """            predictions, confidences = predict(model, images.to(device))
        for row in zip(predictions.tolist(), confidences.tolist(), labels.tolist()):
            writer.writerow(row)""")],
          check="csv_has_header_and_one_row_per_sample", message="the last batch only"),
    wrong("prediction written as the answer",
          [("zip(predictions.tolist(), confidences.tolist(), labels.tolist())",
            "zip(predictions.tolist(), confidences.tolist(), predictions.tolist())")],
          check="csv_has_header_and_one_row_per_sample", message="repeats the predictions"),
    wrong("(values, indices) order reaches the CSV",
          [("return predictions, confidences", "return confidences, predictions")],
          check="csv_has_header_and_one_row_per_sample", message="the wrong way round"),
]
