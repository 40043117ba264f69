"""Writes a placed npu program: y = relu(x @ w + b), x streamed in row tiles.

Used by the npu-lower-to-isa end-to-end test and by the overlap measurement
(docs/passes.md): the program is the same for every --buffers value except
for how many SRAM/accumulator buffers the tiles rotate through, so with
--buffers 1 each load must wait until the previous tile's matmul has read
its buffer, and with --buffers 2 the load of tile i + 1 overlaps the compute
of tile i.

  tiled_matmul.py --tiles 8 --rows 64 --k 32 --n 32 --buffers 2 \
      --target npu-tiny > prog.mlir
  tiled_matmul.py ... --write-data DIR   # x.npy, w.npy, y.ref.npy
"""
import argparse
import os


def bias_values(n):
    return [(i - n / 2) / 8.0 for i in range(n)]


def program(args):
    t, r, k, n, nbuf = args.tiles, args.rows, args.k, args.n, args.buffers
    dtype = args.dtype
    esize = 2 if dtype == "bf16" else 4
    x_bytes, w_bytes, y_bytes = t * r * k * 4, k * n * 4, t * r * n * 4
    x_addr = 0
    w_addr = x_addr + x_bytes
    y_addr = w_addr + w_bytes
    b_addr = y_addr + y_bytes

    def align(v, a=64):
        return (v + a - 1) // a * a

    sram = 0
    def sram_alloc(size):
        nonlocal sram
        addr = sram
        sram = align(sram + size)
        return addr

    acc = 0
    def acc_alloc(size):
        nonlocal acc
        addr = acc
        acc = align(acc + size)
        return addr

    lines = []
    emit = lines.append
    bias = ", ".join(repr(v) for v in bias_values(n))
    emit(f'module attributes {{npu.target = #npu.target<"{args.target}">}} {{')
    emit("  npu.program @main {")
    emit(f'    %x = npu.io "x" input f32 [{t * r}, {k}] at {x_addr:#x}')
    emit(f'    %w = npu.io "w" input f32 [{k}, {n}] at {w_addr:#x}')
    emit(f'    %y = npu.io "y" output f32 [{t * r}, {n}] at {y_addr:#x}')
    emit(f'    %b = npu.constant "b" at {b_addr:#x} dense<[[{bias}]]> : tensor<1x{n}xf32>')
    emit(f'    npu.layer "fc" kind "nn.gemm" macs {t * r * k * n} '
         f"vector_ops {t * r * n} min_dram_bytes {x_bytes + w_bytes + y_bytes + n * 4} {{")
    ws = sram_alloc(k * n * esize)
    bs = sram_alloc(n * 4)
    emit(f"      %ws = npu.alloc sram {k * n * esize} at {ws:#x}")
    emit(f"      %bs = npu.alloc sram {n * 4} at {bs:#x}")
    for i in range(nbuf):
        emit(f"      %a{i} = npu.alloc sram {r * k * esize} at {sram_alloc(r * k * esize):#x}")
        emit(f"      %o{i} = npu.alloc sram {r * n * 4} at {sram_alloc(r * n * 4):#x}")
        emit(f"      %c{i} = npu.alloc acc {r * n * 4} at {acc_alloc(r * n * 4):#x}")
    box = lambda rows, cols: (f"extents [1, 1, {rows}, {cols}]", f"[0, 0, {cols}, 1]")
    ext, strides = box(k, n)
    emit(f"      npu.dma_load %w[0x0] f32 -> %ws[0x0] {dtype} {ext} "
         f"dram_strides {strides} sram_strides {strides}")
    ext, strides = box(1, n)
    emit(f"      npu.dma_load %b[0x0] f32 -> %bs[0x0] f32 {ext} "
         f"dram_strides {strides} sram_strides {strides}")
    emit(f"      npu.mxu_load_weights %ws[0x0] k {k} n {n} row_stride {n} {dtype}")
    for tile in range(t):
        i = tile % nbuf
        ext, strides = box(r, k)
        emit(f"      npu.dma_load %x[{tile * r * k * 4:#x}] f32 -> %a{i}[0x0] {dtype} "
             f"{ext} dram_strides {strides} sram_strides {strides}")
        emit(f"      npu.mxu_matmul %a{i}[0x0] -> %c{i}[0x0] m {r} k {k} n {n} "
             f"row_stride {k} acc_row_stride {n} {dtype}")
        emit(f"      npu.vpu_epilogue relu rows {r} cols {n} dst %o{i}[0x0] f32 "
             f"stride {n} src0 %c{i}[0x0] f32 stride {n} src1 %bs[0x0] f32 stride 0")
        ext, strides = box(r, n)
        emit(f"      npu.dma_store %o{i}[0x0] f32 -> %y[{tile * r * n * 4:#x}] f32 "
             f"{ext} sram_strides {strides} dram_strides {strides}")
    emit("    }")
    emit("  }")
    emit("}")
    return "\n".join(lines) + "\n"


def write_data(args):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.tiles * args.rows, args.k)).astype(np.float32)
    w = rng.standard_normal((args.k, args.n)).astype(np.float32)
    b = np.array(bias_values(args.n), dtype=np.float32)
    xr, wr = x.astype(np.float64), w.astype(np.float64)
    if args.dtype == "bf16":
        def to_bf16(a):
            bits = a.astype(np.float32).view(np.uint32).astype(np.uint64)
            bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16 << 16
            return bits.astype(np.uint32).view(np.float32).astype(np.float64)
        xr, wr = to_bf16(x), to_bf16(w)
    y = np.maximum(xr @ wr + b, 0).astype(np.float32)
    os.makedirs(args.write_data, exist_ok=True)
    np.save(os.path.join(args.write_data, "x.npy"), x)
    np.save(os.path.join(args.write_data, "w.npy"), w)
    np.save(os.path.join(args.write_data, "y.ref.npy"), y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=8)
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--k", type=int, default=32)
    parser.add_argument("--n", type=int, default=32)
    parser.add_argument("--buffers", type=int, default=2)
    parser.add_argument("--dtype", choices=["f32", "bf16"], default="f32")
    parser.add_argument("--target", default="npu-tiny")
    parser.add_argument("--write-data", metavar="DIR")
    args = parser.parse_args()
    if args.write_data:
        write_data(args)
    else:
        print(program(args), end="")


if __name__ == "__main__":
    main()
