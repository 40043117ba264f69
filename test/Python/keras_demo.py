# The training demo of scripts/run.sh (examples/train_fashion_mnist.py) on a
# small subset: one MLP epoch on the chip prints its table row (loss,
# accuracy, validation accuracy, host time, simulated time per step, MXU
# utilization) and the test result, and writes the PNG of the curves.
# REQUIRES: fashion-mnist
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %S/../../examples/train_fashion_mnist.py --epochs 2 --train-samples 640 --plot %t/curves.png | FileCheck %s
# RUN: %python -c "import matplotlib.image as m; a = m.imread('%t/curves.png'); assert a.shape[0] > 100 and a.shape[1] > 300, a.shape"
# CHECK: Model: "mlp"
# CHECK: Training on the simulated npu-base chip (fp32): 640 images (10% held out for validation), batch 32, Adam
# CHECK-NEXT:   epoch    loss     acc val_acc  host s chip us/step MXU util
# CHECK-NEXT:   1/2    {{[0-9.]+}}  {{[0-9.]+}}  {{[0-9.]+}} {{ *[0-9.]+}} {{ *[0-9.]+}} {{ *[0-9.]+}}%
# CHECK-NEXT:   2/2
# CHECK-NEXT: compile: {{[0-9.]+}} s for {{[0-9]+}} binaries
# CHECK-NEXT: test: loss {{[0-9.]+}}, accuracy {{0\.[0-9]+}} (10000 images); training took {{[0-9.]+}} s
# CHECK-NEXT: curves: {{.*}}curves.png
