# The classic Keras program, examples/fashion_mnist_keras.py, run unchanged on
# a subset of Fashion-MNIST (the first 2,048 training and 1,000 test images,
# given by a stand-in for load_data): it trains its 5 epochs on the chip and
# learns (test accuracy well above chance), and apart from its import line
# it is plain Keras (no other mention of npu).
# REQUIRES: fashion-mnist
# RUN: %python %s %S/../../examples/fashion_mnist_keras.py | FileCheck %s
import re
import runpy
import sys

from npu.keras.datasets import fashion_mnist

example = sys.argv[1]
with open(example) as f:
    source = f.read()
code = [line for line in source.splitlines() if line and not line.startswith("#")]
assert "from npu import keras" in code
assert not [line for line in code
            if re.search(r"\bnpu\b", line) and line != "from npu import keras"]

load_data = fashion_mnist.load_data


def subset():
    (x_train, y_train), (x_test, y_test) = load_data()
    return (x_train[:2048], y_train[:2048]), (x_test[:1000], y_test[:1000])


fashion_mnist.load_data = subset
# CHECK: dense_2 (Dense)              (None, 10)                650
# CHECK: Total params: 109,386
# CHECK: Epoch 1/5
# CHECK-NEXT: 64/64 [==============================] - {{.*}} - loss: {{.*}} - accuracy: {{.*}} - chip: {{.*}}us/step (MXU {{.*}}%)
# CHECK: Epoch 5/5
# CHECK-NEXT: 64/64 [==============================]
# CHECK-NEXT: 32/32 - {{.*}} - loss: {{.*}} - accuracy: {{.*}}
# CHECK: Test accuracy: {{0\.[0-9]+}}
# CHECK-NEXT: 1/1 [==============================]
# CHECK-NEXT: predicted {{.*}} true Ankle boot
# CHECK-NEXT: predicted {{.*}} true Pullover
sys.stdout.flush()
namespace = runpy.run_path(example, run_name="__main__")
accuracy = namespace["test_acc"]
assert accuracy >= 0.75, accuracy
# CHECK: learned
print("learned")
