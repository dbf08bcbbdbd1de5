"""The small package the course's notebooks import.

Modules (import the one you need; none of them imports TensorFlow at package
import time, so ``import helpers`` is instant):

- :mod:`helpers.paths` -- where the repository, data cache and build folders are.
- :mod:`helpers.repro` -- one call that seeds Python, NumPy and TensorFlow.
- :mod:`helpers.plotting` -- the course's figure style.
- :mod:`helpers.book` -- ``glue``: the values a chapter's prose quotes (myst-nb's, when installed).
- :mod:`helpers.activations` -- activation functions and their derivatives in NumPy.
- :mod:`helpers.data` -- the course's data sets, obtained, verified and split.
- :mod:`helpers.training` -- building and training the chapters' Keras networks.
- :mod:`helpers.evaluation` -- learning curves, confusion matrices, classification reports.
- :mod:`helpers.losses` -- MSE, cross-entropy and hinge losses with their gradients (NumPy).
- :mod:`helpers.optimizers` -- SGD, momentum and Adam written out to match Keras.
- :mod:`helpers.mlp` -- a two-layer NumPy network with forward and backward passes.
- :mod:`helpers.sentiment` -- the trained sentiment model: ``predict`` and a command line.
- :mod:`helpers.sentiment_models` -- the sentiment chapters' models, baselines and results cache.
- :mod:`helpers.attention` -- scaled dot-product and multi-head attention in NumPy.
- :mod:`helpers.pretrained` -- the pretrained encoder's weights: fetched, verified, read.
- :mod:`helpers.wordpiece` -- BERT's WordPiece tokenizer, from the shipped vocabulary.
- :mod:`helpers.encoder` -- the pretrained all-MiniLM-L6-v2 encoder in Keras.
- :mod:`helpers.transfer` -- the encoder frozen or fine-tuned on the course's tasks.
- :mod:`helpers.serving_cost` -- what a saved model costs to serve: latency, throughput, memory.
- :mod:`helpers.distributed` -- Spark in local mode and TensorFlow workers, started and reaped.
- :mod:`helpers.environment` -- which machine and which library versions.
- :mod:`helpers.execution_record` -- what executing each notebook cost, per build.
- :mod:`helpers.bench` -- ``make bench``: per-chapter runtime, CPU and memory, measured cold.
- :mod:`helpers.colab` -- every chapter's first cell, which installs the course in Google Colab.
- :mod:`helpers.lab` -- ``make lab``: JupyterLab on 127.0.0.1, at a free port, with a token.
"""

__version__ = "0.1.0"
