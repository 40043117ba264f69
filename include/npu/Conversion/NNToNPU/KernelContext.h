//===- KernelContext.h - what an nn op's chip kernel is given --*- C++ -*-===//
//
// The contract between the nn -> npu tiling pass (`npu-tile`,
// lib/Conversion/NNToNPU/NNToNPU.cpp) and the per-op kernels that turn one
// nn op into chip work (lib/Conversion/NNToNPU/*Kernels.cpp).
//
// Every nn tensor lives in DRAM, dense and row-major in its nn shape (NCHW
// for images), so kernels never negotiate layouts with each other: DMA
// descriptors gather tiles in whatever order the MXU/VPU needs (im2col
// windows, transposes) and scatter results back. A kernel:
//   1. asks the context for its operands' DRAM tensors (lookup) and for its
//      result's (defineResult / alias);
//   2. picks tile sizes with the chip's cost model so every working set,
//      double-buffered, fits SRAM and the accumulator;
//   3. emits the tiles, fully unrolled (the chip has no branches), through
//      KernelBuilder: unplaced SRAM/ACC buffers plus one op per instruction
//      whose addresses are (buffer, byte offset) pairs.
// Later passes place every buffer (npu-place-memory) and insert the
// semaphores that order the engines (npu-lower-to-isa), so kernels only
// state data flow: using a fresh (or alternating) buffer per tile is what
// lets the DMA of tile i+1 overlap the compute of tile i.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_CONVERSION_NNTONPU_KERNELCONTEXT_H
#define NPU_CONVERSION_NNTONPU_KERNELCONTEXT_H

#include "npu/Dialect/NPU/IR/NPUEnums.h"
#include "npu/Runtime/ISA.h"
#include "npu/Runtime/Target.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace mlir::npu {

// Space (dram/sram/acc) and AddrRole (the address field a buffer is bound
// to) come from the dialect: npu/Dialect/NPU/IR/NPUEnums.h.

/// A place inside a buffer: the buffer value (an `!npu.buffer`) and a byte
/// offset into it.
struct BufferRef {
  Value buffer;
  uint64_t offset = 0;
};

/// A dense row-major tensor in DRAM: `shape` elements of `dtype` starting
/// `offset` bytes into `buffer`.
struct TensorRef {
  Value buffer;
  uint64_t offset = 0;
  SmallVector<int64_t> shape;
  npurt::DType dtype = npurt::DType::F32;

  int64_t numElements() const;
  uint64_t bytes() const;
  /// Row-major strides of `shape`, in elements.
  SmallVector<int64_t> strides() const;
  /// The place of element `index` (a flat element index).
  BufferRef at(int64_t index) const;
};

/// The useful work of one source (nn) op, which the simulator's roofline
/// lower bound is computed from (docs/isa.md, "Lower bound").
struct SourceWork {
  uint64_t macs = 0;
  uint64_t vectorOps = 0;
  uint64_t minDramBytes = 0;
};

/// A VPU operand for KernelBuilder::vpu (spelled KernelBuilder::VpuOperand):
/// place, row stride (elements), dtype. The memory (sram or acc) is the
/// buffer's space. (Defined outside KernelBuilder because GCC rejects a
/// nested class with default member initializers as a default argument of
/// the enclosing class's members.)
struct KernelVpuOperand {
  BufferRef ref;
  uint32_t rowStride = 0;
  npurt::DType dtype = npurt::DType::F32;
};

/// Creates npu ops at the current insertion point: buffers and one op per
/// instruction. Kernels never build npu ops any other way.
class KernelBuilder {
public:
  explicit KernelBuilder(OpBuilder &builder, Location loc)
      : builder(builder), loc(loc) {}

  OpBuilder &getBuilder() { return builder; }
  Location getLoc() const { return loc; }
  void setLoc(Location newLoc) { loc = newLoc; }

  /// An unplaced buffer of `bytes` in `space` (`npu.alloc`). Its lifetime is
  /// from its first to its last use in program order; npu-place-memory gives
  /// it an address no other live buffer overlaps.
  Value alloc(Space space, uint64_t bytes, StringRef name = "");

  /// The general form: `inst` with every address field named in `buffers`
  /// holding a byte offset into the bound buffer. Fields not bound hold
  /// absolute values (there are none in practice: every address is bound).
  Operation *emit(const npurt::Instruction &inst,
                  ArrayRef<std::pair<AddrRole, Value>> buffers);

  /// DRAM -> SRAM (load) / SRAM -> DRAM (store): the 4-D box of `extents`
  /// (dim 0 outermost) with per-side element strides; f32 <-> bf16 converts.
  Operation *dmaLoad(BufferRef dram, npurt::DType dramType, BufferRef sram,
                     npurt::DType sramType, std::array<uint16_t, 4> extents,
                     std::array<int32_t, 4> dramStrides,
                     std::array<int32_t, 4> sramStrides);
  Operation *dmaStore(BufferRef sram, npurt::DType sramType, BufferRef dram,
                      npurt::DType dramType, std::array<uint16_t, 4> extents,
                      std::array<int32_t, 4> sramStrides,
                      std::array<int32_t, 4> dramStrides);
  /// SRAM [k x n] (row stride in elements) -> weight registers; with
  /// `transpose`, SRAM holds [n x k].
  Operation *mxuLoadWeights(BufferRef sram, npurt::DType dtype, unsigned k,
                            unsigned n, uint32_t rowStride,
                            bool transpose = false);
  /// ACC[m x n] (+)= SRAM[m x k] x weights.
  Operation *mxuMatmul(BufferRef sram, npurt::DType dtype, uint32_t m,
                       unsigned k, unsigned n, uint32_t rowStride,
                       BufferRef acc, uint32_t accRowStride, bool accumulate);

  /// A VPU operand: place, row stride (elements), dtype. The memory (sram or
  /// acc) is the buffer's space.
  using VpuOperand = KernelVpuOperand;
  /// Any VPU instruction: `inst` carries opcode, func, rows, cols,
  /// broadcast, reduce_dim, flags, immediates, scale and zero point; the
  /// operands given here fill dst/src0/src1/src2 (an operand with a null
  /// buffer stays unused).
  Operation *vpu(npurt::Instruction inst, VpuOperand dst,
                 VpuOperand src0 = {}, VpuOperand src1 = {},
                 VpuOperand src2 = {});

private:
  OpBuilder &builder;
  Location loc;
};

/// What a kernel is given. Implemented by the npu-tile pass.
class KernelContext {
public:
  virtual ~KernelContext();

  /// The chip (the module's `npu.target`).
  virtual const npurt::Target &target() const = 0;
  /// The dtype MXU operands and float activations use in DRAM and SRAM:
  /// F32 or BF16 (`npu-tile{precision=...}`). Accumulation is always f32.
  virtual npurt::DType computeType() const = 0;
  /// False when `npu-tile{double-buffer=false}`: kernels then reuse one
  /// buffer per operand for every tile, serializing DMA and compute (the
  /// baseline that shows the overlap is real).
  virtual bool doubleBuffering() const = 0;

  virtual KernelBuilder &builder() = 0;

  /// The DRAM tensor holding `value`: a function input, a constant
  /// (materialized in DRAM on first use) or an earlier op's result. Fails
  /// with a diagnostic on `user` when the value has no DRAM tensor.
  virtual FailureOr<TensorRef> lookup(Value value, Operation *user) = 0;
  /// The DRAM tensor an op's `result` is written to: the function output's
  /// I/O buffer when the result is returned, else a fresh DRAM buffer. Its
  /// dtype is the chip dtype of the result's element type (float ->
  /// computeType() inside the model, f32 at the I/O; i1 -> f32 holding 0/1;
  /// integers -> i32).
  virtual TensorRef defineResult(Value result) = 0;
  /// `result` is `source` reinterpreted with `result`'s shape (reshape,
  /// flatten, squeeze...): no data moves. (If the result is a function
  /// output, the context emits the copy into the output buffer.)
  virtual LogicalResult alias(Value result, const TensorRef &source) = 0;
  /// A constant DRAM tensor with the given raw little-endian `bytes`, e.g. a
  /// weight re-laid-out for the MXU at compile time.
  virtual TensorRef constant(StringRef name, ArrayRef<int64_t> shape,
                             npurt::DType dtype,
                             std::vector<uint8_t> bytes) = 0;
  /// The values of a compile-time constant tensor (an `nn.constant`,
  /// dense or dense_resource) converted to float, or failure when `value` is
  /// not a constant.
  virtual FailureOr<std::vector<float>> constantValues(Value value) = 0;

  /// Declares that the instructions emitted from now on belong to source op
  /// `op` (its location names the ONNX node), doing `work`. Every kernel
  /// calls this once before emitting.
  virtual void beginSourceOp(Operation *op, const SourceWork &work) = 0;
  /// `op` (a consumer fused into the current kernel, e.g. the relu after a
  /// conv) needs no lowering of its own; its result is `result`'s tensor.
  virtual void markFused(Operation *op) = 0;
  /// True when `op` was marked fused.
  virtual bool isFused(Operation *op) const = 0;
};

/// Lowers one nn op; on failure it has emitted a diagnostic on the op.
using KernelFn = std::function<LogicalResult(Operation *op, KernelContext &)>;
/// nn op name (e.g. "nn.conv") -> kernel.
using KernelRegistry = llvm::StringMap<KernelFn>;

/// Kernels of matrix work on the MXU (lib/Conversion/NNToNPU/
/// MatmulKernels.cpp, ConvKernels.cpp, ConvTransposeKernels.cpp): matmul,
/// gemm, conv and conv_transpose (groups, strides, pads, dilations), with
/// fused bias and activation epilogues.
void populateMxuKernels(KernelRegistry &registry);
/// Kernels of vector work on the VPU and of pure data movement
/// (lib/Conversion/NNToNPU/ElementwiseKernels.cpp, ReductionKernels.cpp,
/// PoolKernels.cpp, DataMovementKernels.cpp, DropoutKernels.cpp).
void populateVpuKernels(KernelRegistry &registry);

} // namespace mlir::npu

#endif // NPU_CONVERSION_NNTONPU_KERNELCONTEXT_H
