"""Mutants of cnn (ch4_cifar): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

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
    # Named by the generic diagnosis (grader/toolkit/diagnose.py, grader/explain.py): no check
    # lists these slips.
    wrong("nn.ReLU kept as the class",
          [("        self.relu = nn.ReLU()\n        # padding", "        self.relu = nn.ReLU\n        # padding")],
          check="cnn_output_shape", status="error",
          message="`nn.ReLU` on line 26 of your file is the class ReLU itself"),
    wrong("flatten size copied from LeNet's view(-1, 16 * 5 * 5)",
          [("x = torch.flatten(x, 1)", "x = x.view(-1, 16 * 5 * 5)")],
          check="cnn_output_shape", status="error",
          message="One sample holds 512 values (32 x 4 x 4)"),

    wrong("softmax inside the model", [("return self.fc3(x)", "return torch.softmax(self.fc3(x), dim=1)")],
          check="cnn_outputs_logits_not_probabilities", message="manual P18"),
    wrong("padding 0 (Conv2d's default)",
          [("nn.Conv2d(3, 32, kernel_size=3, padding=1)", "nn.Conv2d(3, 32, kernel_size=3)"),
           ("self.conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1)", "self.conv2 = nn.Conv2d(32, 32, kernel_size=3)"),
           ("self.conv3 = nn.Conv2d(32, 32, kernel_size=3, padding=1)", "self.conv3 = nn.Conv2d(32, 32, kernel_size=3)")],
          check="cnn_conv_layers_keep_the_size", message="pass padding=1"),
    wrong("padding 0 also fails the forward pass",
          [("nn.Conv2d(3, 32, kernel_size=3, padding=1)", "nn.Conv2d(3, 32, kernel_size=3)")],
          check="cnn_output_shape", message="32 channels x 4 x 4 = 512"),
    wrong("flatten size from two pools", [("nn.Linear(32 * 4 * 4, 100)", "nn.Linear(32 * 8 * 8, 100)")],
          check="cnn_has_the_manuals_parameter_count", message="32 channels x 4 x 4 = 512"),
    wrong("flatten over the batch axis too", [("x = torch.flatten(x, 1)", "x = torch.flatten(x)")],
          check="cnn_output_shape", message="keeps the batch axis"),
    wrong("ReLU after the last layer", [("return self.fc3(x)", "return self.relu(self.fc3(x))")],
          check="cnn_outputs_logits_not_probabilities", message="the last layer has no activation"),
    wrong("Conv2d arguments swapped",
          [("nn.Conv2d(3, 32, kernel_size=3, padding=1)", "nn.Conv2d(32, 3, kernel_size=3, padding=1)")],
          check="cnn_conv_layers_keep_the_size", message="Conv2d(in_channels, out_channels"),
    wrong("out_features keyword from the slide (E6)",
          [("nn.Conv2d(3, 32, kernel_size=3, padding=1)", "nn.Conv2d(3, out_features=32, kernel_size=3, padding=1)")],
          check="cnn_has_the_manuals_parameter_count", message="erratum E6"),
    wrong("F.maxpool2d from the slide (E6)",
          [("import torch\n", "import torch\nimport torch.nn.functional as F\n"),
           ("x = self.relu(self.pool(self.conv1(x)))", "x = self.relu(F.maxpool2d(self.conv1(x), 2))")],
          check="cnn_output_shape", message="erratum E6"),
    correct("nn.Sequential",
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
    correct("F.relu and F.max_pool2d (P17)",
            [("import torch\n", "import torch\nimport torch.nn.functional as F\n"),
             ("        self.pool = nn.MaxPool2d(2)\n        self.relu = nn.ReLU()\n", ""),
             (CNN_BLOCKS, """        for conv in (self.conv1, self.conv2, self.conv3):
            x = F.relu(F.max_pool2d(conv(x), 2))
"""),
             ("x = self.relu(self.fc1(x))", "x = F.relu(self.fc1(x))"),
             ("x = self.relu(self.fc2(x))", "x = F.relu(self.fc2(x))")]),
    correct("ReLU before pooling, view to flatten",
            [(CNN_BLOCKS, """        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        x = self.pool(self.relu(self.conv3(x)))
"""),
             ("x = torch.flatten(x, 1)", "x = x.view(x.size(0), -1)")]),
    wrong("average pooling", [("self.pool = nn.MaxPool2d(2)", "self.pool = nn.AvgPool2d(2)")],
          check="cnn_matches_reference_with_copied_weights", message="Your pooling averages"),
    wrong("no ReLU after fc2", [("x = self.relu(self.fc2(x))", "x = self.fc2(x)")],
          check="cnn_matches_reference_with_copied_weights", message="leaves out the ReLU after fc2"),
    wrong("no ReLU after the conv blocks",
          [(CNN_BLOCKS, """        x = self.pool(self.conv1(x))
        x = self.pool(self.conv2(x))
        x = self.pool(self.conv3(x))
""")],
          check="cnn_matches_reference_with_copied_weights", message="the max-pool of conv blocks 1, 2, 3"),
    wrong("in_channels 3 for conv2",
          [("self.conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1)", "self.conv2 = nn.Conv2d(3, 32, kernel_size=3, padding=1)")],
          check="cnn_conv_layers_keep_the_size", message="conv2 gets the 32 channels that conv1 makes"),
    wrong("third max-pool missing",
          [("x = self.relu(self.pool(self.conv3(x)))", "x = self.relu(self.conv3(x))")],
          check="cnn_output_shape", message="one of the three max-pools is missing"),
    wrong("no padding anywhere: a 2x2 map",
          [("nn.Conv2d(3, 32, kernel_size=3, padding=1)", "nn.Conv2d(3, 32, kernel_size=3)"),
           ("self.conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1)", "self.conv2 = nn.Conv2d(32, 32, kernel_size=3)"),
           ("self.conv3 = nn.Conv2d(32, 32, kernel_size=3, padding=1)", "self.conv3 = nn.Conv2d(32, 32, kernel_size=3)")],
          check="cnn_output_shape", message="a 2x2 map"),
    wrong("view(-1) flattens the batch axis",
          [("x = torch.flatten(x, 1)", "x = x.view(-1)")],
          check="cnn_output_shape", message="flattened the batch axis"),
    correct("Linear layers defined before the convolutions",
            [("""        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
""", ""),
             ("        self.fc3 = nn.Linear(100, 10)\n", """        self.fc3 = nn.Linear(100, 10)
        self.conv1 = nn.Conv2d(3, 32, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, kernel_size=3, padding=1)
""")]),
]
