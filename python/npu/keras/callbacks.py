"""Callbacks: the ``Callback`` base class and ``History``.

``fit`` calls ``on_train_begin/end``, ``on_epoch_begin/end(epoch, logs)``
and ``on_train_batch_begin/end(batch, logs)``; ``logs`` holds the running
means of the loss and metrics (plus ``val_*`` at the end of an epoch).
Setting ``model.stop_training = True`` in a callback ends ``fit`` after the
current epoch.
"""


class Callback:
    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        pass

    def on_train_batch_end(self, batch, logs=None):
        pass


class History(Callback):
    """What ``fit`` returns: ``history`` maps each of ``loss``, the metrics
    and their ``val_`` variants to one value per epoch; ``epoch`` lists the
    epoch indices. ``chip`` has one dict per epoch with what the simulated
    chip reported for the train steps: ``steps``, ``time_us_per_step``,
    ``cycles_per_step``, ``mxu_utilization`` (over the epoch's cycles)
    and ``host_seconds`` (wall time of the epoch's steps, compile time
    excluded)."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []
        self.chip = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


class CallbackList:
    """Calls every callback in turn (internal to ``fit``)."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError("callbacks must be keras.callbacks.Callback "
                                f"instances, got {type(callback).__name__}")
            callback.set_model(model)
            callback.set_params(params)

    def __getattr__(self, hook):
        def call(*args):
            for callback in self.callbacks:
                getattr(callback, hook)(*args)
        return call
