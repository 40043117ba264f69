//===- VpuKernelUtils.h - shared pieces of the VPU and DMA kernels -*- C++
//-*-===//
//
// What the vector (VPU) and data-movement kernels have in common: strided
// DMA boxes of any rank split into the chip's 4-D descriptors, the tiling of
// an index space into [rows x cols] VPU tiles that fit SRAM, rings of
// alternating SRAM buffers (double buffering), VPU instruction skeletons and
// the nn element type -> chip dtype rules. Private to lib/Conversion/NNToNPU.
//
//===----------------------------------------------------------------------===//
#ifndef LIB_CONVERSION_NNTONPU_VPUKERNELUTILS_H
#define LIB_CONVERSION_NNTONPU_VPUKERNELUTILS_H

#include "npu/Conversion/NNToNPU/KernelContext.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>

namespace mlir::npu::vpu {

/// Largest extent of a DMA box dimension and of VPU rows/cols (u16 fields).
constexpr int64_t kMaxExtent = 65535;

/// Emits "'nn.x' op cannot be lowered to the chip: <reason>" on `op`.
InFlightDiagnostic unsupported(Operation *op);

/// Row-major strides (in elements) of `shape`.
SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape);
/// Product of `shape` (1 for a scalar).
int64_t product(ArrayRef<int64_t> shape);

/// The shape of a ranked tensor value.
ArrayRef<int64_t> shapeOf(Value value);
/// True for f32, f16 and bf16 element types.
bool isFloatElement(Type type);
/// The element type of a shaped value.
Type elementTypeOf(Value value);

/// True when the VPU reads `type` from SRAM directly (f32, bf16).
bool isVpuFloat(npurt::DType type);
/// True for the integer element types (i8, i32, i64: i32 on the VPU), not
/// i1 (booleans are 0.0/1.0 floats on the chip).
bool isIntegerElement(Type type);

/// `ref` advanced by `elements` elements of `dtype` (may be negative as long
/// as the result stays inside the buffer).
BufferRef offsetBy(BufferRef ref, int64_t elements, npurt::DType dtype);
BufferRef elementOf(const TensorRef &tensor, int64_t elements);

//===----------------------------------------------------------------------===//
// DMA boxes of any rank
//===----------------------------------------------------------------------===//

/// One dimension of a strided copy between DRAM and SRAM: `extent` elements,
/// `dramStride` / `sramStride` elements apart (zero = broadcast, negative =
/// reversed).
struct CopyDim {
  int64_t extent = 1;
  int64_t dramStride = 0;
  int64_t sramStride = 0;
};

/// Emits the DMA(s) moving the box `dims` (outermost first) between `dram`
/// and `sram`: size-1 dimensions are dropped, dimensions contiguous on both
/// sides merged, extents over 65535 chunked, and boxes of rank > 4 (or with
/// strides outside i32) split into several 4-D descriptors. Returns the
/// number of DMA instructions emitted.
unsigned emitDmaBox(KernelBuilder &kb, bool load, BufferRef dram,
                    npurt::DType dramType, BufferRef sram,
                    npurt::DType sramType, ArrayRef<CopyDim> dims);

/// The SRAM dtype a DRAM tensor of `dramType` is staged in when it is only
/// moved (copied, gathered, transposed) between `dramType` and `otherType`:
/// equal types copy bits, f32 <-> bf16 converts once.
std::optional<npurt::DType> stagingType(npurt::DType from, npurt::DType to);

//===----------------------------------------------------------------------===//
// SRAM budget and buffers
//===----------------------------------------------------------------------===//

/// Bytes of SRAM one kernel may fill with its buffers (leaves room for the
/// placement's alignment padding).
uint64_t sramBudget(const npurt::Target &target);
/// Smallest tile (bytes moved per DMA) worth splitting a tensor into: a
/// smaller one spends more time on DMA latency than on transfer.
uint64_t minUsefulTileBytes(const npurt::Target &target);
/// Round `bytes` up to the SRAM alignment.
uint64_t alignSram(const npurt::Target &target, uint64_t bytes);

/// `count` SRAM (or ACC) buffers of the same size used in turn, tile after
/// tile: with two of them the DMA filling tile i+1 does not wait for the
/// compute reading tile i. Allocated on first use.
class BufferRing {
public:
  BufferRing() = default;
  BufferRing(Space space, uint64_t bytes, unsigned count, std::string name)
      : space(space), bytes(bytes), count(count), name(std::move(name)) {}

  /// The buffer used for the `index`-th tile.
  Value get(KernelBuilder &kb, unsigned index);
  /// The buffer after the last one handed out.
  Value next(KernelBuilder &kb) { return get(kb, cursor++); }
  uint64_t size() const { return bytes; }

private:
  Space space = Space::Sram;
  uint64_t bytes = 0;
  unsigned count = 0;
  unsigned cursor = 0;
  std::string name;
  SmallVector<Value, 2> buffers;
};

//===----------------------------------------------------------------------===//
// Tiling an index space into VPU tiles
//===----------------------------------------------------------------------===//

/// An index space whose dims [0, numRowDims) flatten into VPU rows and the
/// rest into VPU cols, cut into boxes of at most `chunk[d]` along each dim.
struct TileGrid {
  SmallVector<int64_t> extents;
  unsigned numRowDims = 0;
  SmallVector<int64_t> chunk;

  /// Largest rows / cols / rows*cols of any tile.
  int64_t maxRows() const;
  int64_t maxCols() const;
  int64_t maxElements() const { return maxRows() * maxCols(); }
};

/// One box of a TileGrid.
struct Tile {
  SmallVector<int64_t> start;
  SmallVector<int64_t> size;
  int64_t rows = 1;
  int64_t cols = 1;
  unsigned index = 0;
  /// For accumulation across one group of dims: true on the first tile of
  /// each run over the inner group (see forEachTile).
  bool firstInner = true;
  bool lastInner = true;
};

/// Picks chunks so a tile has at most `maxElements` elements, at most
/// `maxRows` rows and `maxCols` cols; inner dims are kept whole first (a tile
/// is a chunk of one row dim and one col dim, full inside them). Row dims
/// before `firstSpannedRowDim` always get chunk 1.
TileGrid planTiles(ArrayRef<int64_t> extents, unsigned numRowDims,
                   int64_t maxElements, int64_t maxRows = kMaxExtent,
                   int64_t maxCols = kMaxExtent,
                   unsigned firstSpannedRowDim = 0);

/// Calls `fn` for every tile, row tiles outermost (or col tiles outermost
/// when `colsOuter`); firstInner/lastInner mark runs of the inner group.
void forEachTile(const TileGrid &grid, bool colsOuter,
                 function_ref<void(const Tile &)> fn);

/// The DMA box of `tile` for an operand with `strides` (one per grid dim,
/// zero = broadcast) stored densely in SRAM in tile order; `dims` selects
/// which grid dims take part (others are absent from the SRAM layout).
SmallVector<CopyDim> tileBox(const Tile &tile, ArrayRef<int64_t> strides,
                             ArrayRef<bool> dims);
/// The element offset of `tile`'s first element for `strides`.
int64_t tileOffset(const Tile &tile, ArrayRef<int64_t> strides);

/// The number of elements per tile to aim for when `total` elements stream
/// through SRAM buffers of `sramBytesPerElement` bytes (all buffers, per
/// tile element) while `dramBytesPerElement` bytes cross the DRAM port per
/// element. DMA queues are pipelined, so the latency of a descriptor only
/// shows where compute waits for it: at the start and end of the stream,
/// and between tiles whose transfer is shorter than the latency. Tiles are
/// therefore cut to about two latencies of transfer each (small tiles fill
/// the pipeline fast), but no larger than SRAM holds.
int64_t chooseTileElements(const npurt::Target &target, int64_t total,
                           uint64_t sramBytesPerElement,
                           uint64_t dramBytesPerElement);

//===----------------------------------------------------------------------===//
// Copies through SRAM (the DMA has no DRAM -> DRAM form)
//===----------------------------------------------------------------------===//

/// Moves strided boxes from one DRAM tensor to another through SRAM tiles
/// that alternate between buffers, so the store of tile i overlaps the load
/// of tile i+1. One copier serves all the boxes of a kernel.
class SramCopier {
public:
  /// Tiles hold at most `maxTileElements` elements of the staging dtype.
  SramCopier(KernelContext &ctx, int64_t maxTileElements);

  /// Copies the box of `extents`: element `i` (a multi-index) moves from
  /// `src` element `srcOffset + sum(i * srcStrides)` to `dst` element
  /// `dstOffset + sum(i * dstStrides)`. Fails (with a diagnostic on `op`)
  /// when the dtypes do not convert.
  LogicalResult copy(Operation *op, const TensorRef &src, int64_t srcOffset,
                     ArrayRef<int64_t> srcStrides, const TensorRef &dst,
                     int64_t dstOffset, ArrayRef<int64_t> dstStrides,
                     ArrayRef<int64_t> extents);

  /// Tile size for moving `total` elements with `numBuffers` buffers.
  static int64_t tileElements(const npurt::Target &target, int64_t total,
                              unsigned numBuffers);
  /// Buffers a copier cycles through.
  static unsigned depth(bool doubleBuffering);

private:
  KernelContext &ctx;
  int64_t maxTileElements;
  BufferRing ring;
};

/// Copies all of `src` into `dst` (same element count, row-major).
LogicalResult copyTensor(KernelContext &ctx, Operation *op,
                         const TensorRef &src, const TensorRef &dst);

//===----------------------------------------------------------------------===//
// VPU instructions
//===----------------------------------------------------------------------===//

/// A VPU instruction skeleton: opcode, function and [rows x cols].
npurt::Instruction vpuInst(npurt::Opcode opcode, npurt::VpuFunc func,
                           int64_t rows, int64_t cols);
/// An SRAM operand [rows x rowStride] of `dtype` at `buffer`.
KernelBuilder::VpuOperand operand(Value buffer, int64_t rowStride,
                                  npurt::DType dtype, uint64_t offset = 0);

//===----------------------------------------------------------------------===//
// Registration (populateVpuKernels calls these)
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// Elementwise ops as VPU steps
//===----------------------------------------------------------------------===//

/// What one nn op computes on a tile.
struct Step {
  /// Convert: a vpu_cast between the chip's float (f32) and integer (i32)
  /// forms of a value.
  enum class Kind { Unary, Binary, BinaryImm, Select, Convert };
  Operation *op = nullptr;
  Kind kind = Kind::Unary;
  npurt::VpuFunc func = npurt::VpuFunc::None;
  float imm0 = 0.0f;
  float imm1 = 0.0f;
  /// Operands in VPU order (src0, src1[, src2]).
  SmallVector<Value, 3> operands;
  /// The result is rounded to bf16 even where the chip keeps it in f32 (a
  /// cast to bf16).
  bool roundToBf16 = false;
  /// The VPU's integer mode: the operands (for Select, the values) are
  /// integers, held as i32 on the chip.
  bool integer = false;
  /// The result is an integer (i32 in SRAM); otherwise f32 (floats and the
  /// 0/1 of booleans).
  bool integerResult = false;
};

/// True for VPU functions whose operands may be swapped.
bool isCommutative(npurt::VpuFunc func);
/// The single value of a one-element compile-time constant, if it is finite
/// (VPU immediates must be).
std::optional<float> scalarConstant(Value value, KernelContext &ctx);
/// Describes an elementwise `op` as a Step, or fails with the reason in
/// `why` (no diagnostic: callers probe fusion candidates with it).
FailureOr<Step> describeElementwise(Operation *op, KernelContext &ctx,
                                    std::string &why);

/// Lowers `op` (a last-axis reduction, or an elementwise op feeding one)
/// together with the row-wise ops after it as one row group when they form
/// one (ReductionKernels.cpp); false when they do not.
FailureOr<bool> tryLowerRowGroup(Operation *op, KernelContext &ctx);

/// Lowers an elementwise op (and the chain of consumers fused after it);
/// also nn.cast to a float or i1 type.
LogicalResult lowerElementwise(Operation *op, KernelContext &ctx);

/// Elementwise unary/binary/compare/logic ops and nn.where (fused chains).
void registerElementwiseKernels(KernelRegistry &registry);
/// reduce_sum/mean/max/min and global_avg_pool.
void registerReductionKernels(KernelRegistry &registry);
/// max_pool and avg_pool.
void registerPoolKernels(KernelRegistry &registry);
/// transpose, concat, split, slice, pad, expand, gather, cast.
void registerDataMovementKernels(KernelRegistry &registry);
/// dropout (DropoutKernels.cpp).
void registerDropoutKernels(KernelRegistry &registry);

} // namespace mlir::npu::vpu

#endif // LIB_CONVERSION_NNTONPU_VPUKERNELUTILS_H
