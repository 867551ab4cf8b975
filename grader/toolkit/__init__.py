"""The check author's toolkit: what check modules import, always by package name.

- expect: fail(), expect_close() with Mistake values, Slip for typical exceptions;
- diagnose: the relations expect_* name where no Mistake does (a factor, axes, a reduction...);
- values: to_numpy() and describe(), the learner's values as arrays and in words;
- numbers: a returned Python float (expect_float) or pair (expect_pair);
- recorders: a model wrapper noting the mode and the grad state of each forward call;
- loaders: synthetic DataLoaders with a short last batch;
- models: the manual's models that checks train instead of the learner's own;
- references: another exercise's reference module;
- progress: live epoch and loss of training checks (report_epoch);
- plots: loss curves beside the reference's; learner_code: the learner's code, comments left out;
- devices, gpu: CUDA on machines without one; keras, tf_source: the TensorFlow chapters' helpers.

A check module holds only what is specific to its exercise; anything a second exercise needs
moves here. Nothing here imports torch or TensorFlow until a module that needs it is imported.
"""
