"""Mutants of checkpoint (ch3_housing): wrong variants with their message, correct ones that pass."""

from grader.dev.mutants import correct, wrong

MUTANTS = [
    # --- checkpoint (P12) --------------------------------------------------------------------
    wrong("saves the whole model object",
          [("torch.save(model.state_dict(), path)", "torch.save(model, path)"),
           ('model = make_model()\n    # map_location="cpu" also loads weights saved from a GPU on a machine without one.\n'
            '    model.load_state_dict(torch.load(path, map_location="cpu"))',
            'model = torch.load(path, map_location="cpu", weights_only=False)')],
          check="file_holds_a_state_dict", message="whole model object"),
    wrong("a fresh model without the weights",
          [('model.load_state_dict(torch.load(path, map_location="cpu"))', 'torch.load(path, map_location="cpu")')],
          check="round_trip_reproduces_the_outputs", message="does not hold the saved weights"),
    wrong("returns what load_state_dict returns",
          [('model.load_state_dict(torch.load(path, map_location="cpu"))\n    return model',
            'return model.load_state_dict(torch.load(path, map_location="cpu"))')],
          check="loads_a_state_dict_saved_with_torch_save", message="missing and unexpected keys"),
    wrong("returns the state_dict",
          [('model.load_state_dict(torch.load(path, map_location="cpu"))\n    return model',
            'return torch.load(path, map_location="cpu")')],
          check="loads_a_state_dict_saved_with_torch_save", message="the state_dict itself"),
    wrong("state_dict wrapped in another dict",
          [("torch.save(model.state_dict(), path)", 'torch.save({"model": model.state_dict()}, path)')],
          check="file_holds_a_state_dict", message="not wrapped"),
    correct("CPU copies saved, weights_only load",
            [("torch.save(model.state_dict(), path)",
              "torch.save({k: v.cpu() for k, v in model.state_dict().items()}, path)"),
             ('torch.load(path, map_location="cpu")', 'torch.load(path, map_location="cpu", weights_only=True)')]),
    correct("a factory call and strict loading",
            [('model = make_model()\n    # map_location="cpu" also loads weights saved from a GPU on a machine without one.\n'
              '    model.load_state_dict(torch.load(path, map_location="cpu"))\n    return model',
              'state = torch.load(path, map_location=torch.device("cpu"))\n    model = make_model()\n'
              '    model.load_state_dict(state, strict=True)\n    return model')]),
    wrong("state_dict saved without calling it",
          [("torch.save(model.state_dict(), path)", "torch.save(model.state_dict, path)")],
          check="file_holds_a_state_dict", message="saved without calling it"),
    wrong("make_model not called",
          [("model = make_model()", "model = make_model")],
          check="round_trip_reproduces_the_outputs", message="called on the class itself",
          status="error"),
    wrong("the path given to load_state_dict",
          [('model.load_state_dict(torch.load(path, map_location="cpu"))', "model.load_state_dict(path)")],
          check="round_trip_reproduces_the_outputs", message="takes the weights, not a file name",
          status="error"),
    wrong("no map_location for a GPU checkpoint",
          [('torch.load(path, map_location="cpu")', "torch.load(path)")],
          check="loads_a_gpu_checkpoint_on_the_cpu", message="map_location", status="error"),
]
