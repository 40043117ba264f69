#!/usr/bin/python3
"""The training demo (scripts/run.sh): a Keras model trained on
Fashion-MNIST on the simulated NPU with npu.keras.

Every train step -- forward pass, loss, gradients and the optimizer update --
is one run of a chip binary compiled by npu-compile; the weights and the
optimizer state stay in the simulated chip's DRAM between steps. Per epoch it
prints the loss and accuracy, the validation accuracy, the host (wall) time,
and what the simulated chip reported per step: its time at the target's
clock and its MXU utilization. At the end it evaluates on the test set and
saves a PNG of the loss/accuracy curves.

Models: ``mlp`` (the Keras tutorial's Flatten-Dense(128)-Dense(64)-Dense(10))
and ``cnn`` (two Conv2D + MaxPooling2D stages, Dense(128), Dense(10)).

  PYTHONPATH=build/python /usr/bin/python3 examples/train_fashion_mnist.py \\
      [--model mlp|cnn] [--epochs 5] [--batch-size 32] [--train-samples N] \\
      [--precision fp32|bf16] [--target npu-base] [--plot curves.png]
"""
import argparse
import os
import sys
import time


from npu import keras
from npu.keras import layers


def build_model(kind):
    if kind == "mlp":
        return keras.Sequential([
            layers.Flatten(input_shape=(28, 28)),
            layers.Dense(128, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax")], name="mlp")
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax")], name="cnn")


class EpochReport(keras.callbacks.Callback):
    """One table row per epoch, from the logs and History.chip."""

    HEADER = (f"{'epoch':>7} {'loss':>7} {'acc':>7} {'val_acc':>7} {'host s':>7} "
              f"{'chip us/step':>12} {'MXU util':>8}")

    def on_train_begin(self, logs=None):
        print(self.HEADER, flush=True)

    def on_epoch_end(self, epoch, logs=None):
        chip = self.model.history.chip[-1]
        print(f"{epoch + 1:>3}/{self.params['epochs']:<3} {logs['loss']:7.4f} "
              f"{logs['accuracy']:7.4f} {logs.get('val_accuracy', float('nan')):7.4f} "
              f"{chip['host_seconds']:7.1f} {chip['time_us_per_step']:12.1f} "
              f"{100 * chip['mxu_utilization']:7.2f}%", flush=True)


def save_curves(history, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = [e + 1 for e in history.epoch]
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 4))
    for axes, key, label in ((loss_axes, "loss", "loss"),
                             (accuracy_axes, "accuracy", "accuracy")):
        axes.plot(epochs, history.history[key], "o-", label=f"train {label}")
        if "val_" + key in history.history:
            axes.plot(epochs, history.history["val_" + key], "s--",
                      label=f"validation {label}")
        axes.set_xlabel("epoch")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(label)
        axes.grid(True, alpha=0.3)
        axes.legend()
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=("mlp", "cnn"), default="mlp")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--train-samples", type=int, default=None,
                        help="train on the first N training images (default all)")
    parser.add_argument("--validation-split", type=float, default=0.1)
    parser.add_argument("--precision", choices=("fp32", "bf16"), default="fp32")
    parser.add_argument("--target", default="npu-base")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="fashion_mnist_training.png",
                        help="where to save the loss/accuracy curves (PNG)")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1:
        parser.error("--epochs and --batch-size must be positive")

    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    if args.train_samples is not None:
        x_train, y_train = x_train[:args.train_samples], y_train[:args.train_samples]
    x_train, x_test = x_train / 255.0, x_test / 255.0
    if args.model == "cnn":
        x_train, x_test = x_train[..., None], x_test[..., None]

    model = build_model(args.model)
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], target=args.target, precision=args.precision)
    print(f"\nTraining on the simulated {args.target} chip ({args.precision}): "
          f"{len(x_train)} images ({100 * args.validation_split:.0f}% held out for "
          f"validation), batch {args.batch_size}, Adam", flush=True)
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=args.epochs,
                        batch_size=args.batch_size,
                        validation_split=args.validation_split, verbose=0,
                        callbacks=[EpochReport()])
    train_seconds = time.perf_counter() - start
    session = model._session
    print(f"compile: {session.compile_seconds:.1f} s for "
          f"{len(session.entries)} binaries (per batch size: train and inference)")

    test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    print(f"test: loss {test_loss:.4f}, accuracy {test_accuracy:.4f} "
          f"({len(x_test)} images); training took {train_seconds:.1f} s")
    save_curves(history, args.plot,
                f"Fashion-MNIST {args.model.upper()} on the simulated NPU "
                f"(test accuracy {test_accuracy:.3f})")
    print(f"curves: {os.path.abspath(args.plot)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
