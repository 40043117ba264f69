//===- VpuKernelUtils.cpp - shared pieces of the VPU and DMA kernels ------===//
//
// DMA box splitting, tile planning and buffer rings used by the elementwise,
// reduction, pooling and data-movement kernels.
//
//===----------------------------------------------------------------------===//
#include "VpuKernelUtils.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::npu;
using namespace mlir::npu::vpu;
using npurt::DType;

InFlightDiagnostic vpu::unsupported(Operation *op) {
  return op->emitOpError("cannot be lowered to the chip: ");
}

SmallVector<int64_t> vpu::rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

int64_t vpu::product(ArrayRef<int64_t> shape) {
  int64_t result = 1;
  for (int64_t extent : shape)
    result *= extent;
  return result;
}

ArrayRef<int64_t> vpu::shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}

Type vpu::elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

bool vpu::isFloatElement(Type type) {
  return type.isF32() || type.isF16() || type.isBF16();
}

bool vpu::isVpuFloat(DType type) {
  return type == DType::F32 || type == DType::BF16;
}

bool vpu::isIntegerElement(Type type) {
  return isa<IntegerType>(type) && !type.isInteger(1);
}

BufferRef vpu::offsetBy(BufferRef ref, int64_t elements, DType dtype) {
  ref.offset = static_cast<uint64_t>(static_cast<int64_t>(ref.offset) +
                                     elements * npurt::dtypeSize(dtype));
  return ref;
}

BufferRef vpu::elementOf(const TensorRef &tensor, int64_t elements) {
  return offsetBy({tensor.buffer, tensor.offset}, elements, tensor.dtype);
}

//===----------------------------------------------------------------------===//
// DMA boxes
//===----------------------------------------------------------------------===//

namespace {
bool fitsI32(int64_t value) {
  return value >= std::numeric_limits<int32_t>::min() &&
         value <= std::numeric_limits<int32_t>::max();
}

/// Drops size-1 dims and merges dims contiguous on both sides.
SmallVector<CopyDim> normalizeBox(ArrayRef<CopyDim> dims) {
  SmallVector<CopyDim> result;
  for (const CopyDim &dim : dims) {
    if (dim.extent == 1)
      continue;
    if (!result.empty()) {
      CopyDim &outer = result.back();
      if (outer.dramStride == dim.dramStride * dim.extent &&
          outer.sramStride == dim.sramStride * dim.extent) {
        outer.extent *= dim.extent;
        outer.dramStride = dim.dramStride;
        outer.sramStride = dim.sramStride;
        continue;
      }
    }
    result.push_back(dim);
  }
  return result;
}

unsigned emitBox(KernelBuilder &kb, bool load, BufferRef dram, DType dramType,
                 BufferRef sram, DType sramType, ArrayRef<CopyDim> dims) {
  // A dim whose strides do not fit the descriptor: one box per index.
  for (auto [i, dim] : llvm::enumerate(dims)) {
    if (fitsI32(dim.dramStride) && fitsI32(dim.sramStride))
      continue;
    SmallVector<CopyDim> rest(dims);
    rest.erase(rest.begin() + i);
    unsigned count = 0;
    for (int64_t index = 0; index < dim.extent; ++index)
      count += emitBox(
          kb, load, offsetBy(dram, index * dim.dramStride, dramType), dramType,
          offsetBy(sram, index * dim.sramStride, sramType), sramType, rest);
    return count;
  }
  // An extent over the u16 field: chunks of it.
  for (auto [i, dim] : llvm::enumerate(dims)) {
    if (dim.extent <= kMaxExtent)
      continue;
    SmallVector<CopyDim> chunked(dims);
    unsigned count = 0;
    for (int64_t start = 0; start < dim.extent; start += kMaxExtent) {
      chunked[i].extent = std::min(kMaxExtent, dim.extent - start);
      count += emitBox(
          kb, load, offsetBy(dram, start * dim.dramStride, dramType), dramType,
          offsetBy(sram, start * dim.sramStride, sramType), sramType, chunked);
    }
    return count;
  }
  // More than four dims: one 4-D box per index of the outermost.
  if (dims.size() > 4) {
    unsigned count = 0;
    for (int64_t index = 0; index < dims[0].extent; ++index)
      count += emitBox(
          kb, load, offsetBy(dram, index * dims[0].dramStride, dramType),
          dramType, offsetBy(sram, index * dims[0].sramStride, sramType),
          sramType, dims.drop_front());
    return count;
  }
  std::array<uint16_t, 4> extents = {1, 1, 1, 1};
  std::array<int32_t, 4> dramStrides = {0, 0, 0, 0};
  std::array<int32_t, 4> sramStrides = {0, 0, 0, 0};
  size_t first = 4 - dims.size();
  for (auto [i, dim] : llvm::enumerate(dims)) {
    extents[first + i] = static_cast<uint16_t>(dim.extent);
    dramStrides[first + i] = static_cast<int32_t>(dim.dramStride);
    sramStrides[first + i] = static_cast<int32_t>(dim.sramStride);
  }
  if (load)
    kb.dmaLoad(dram, dramType, sram, sramType, extents, dramStrides,
               sramStrides);
  else
    kb.dmaStore(sram, sramType, dram, dramType, extents, sramStrides,
                dramStrides);
  return 1;
}
} // namespace

unsigned vpu::emitDmaBox(KernelBuilder &kb, bool load, BufferRef dram,
                         DType dramType, BufferRef sram, DType sramType,
                         ArrayRef<CopyDim> dims) {
  for (const CopyDim &dim : dims)
    if (dim.extent == 0)
      return 0;
  return emitBox(kb, load, dram, dramType, sram, sramType, normalizeBox(dims));
}

std::optional<DType> vpu::stagingType(DType from, DType to) {
  if (from == to)
    return from;
  if (isVpuFloat(from) && isVpuFloat(to))
    return DType::F32;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// SRAM budget and buffers
//===----------------------------------------------------------------------===//

uint64_t vpu::sramBudget(const npurt::Target &target) {
  // One eighth stays free for alignment padding and small vectors.
  return target.sram_bytes - target.sram_bytes / 8;
}

uint64_t vpu::minUsefulTileBytes(const npurt::Target &target) {
  return static_cast<uint64_t>(2.0 * target.dma_latency_cycles *
                               target.dram_bytes_per_cycle);
}

uint64_t vpu::alignSram(const npurt::Target &target, uint64_t bytes) {
  uint64_t align = std::max<uint64_t>(target.sram_alignment, 1);
  return (bytes + align - 1) / align * align;
}

Value BufferRing::get(KernelBuilder &kb, unsigned index) {
  unsigned slot = index % count;
  while (buffers.size() <= slot) {
    std::string bufferName = name;
    if (count > 1)
      bufferName += "." + std::to_string(buffers.size());
    buffers.push_back(
        kb.alloc(space, std::max<uint64_t>(bytes, 4), bufferName));
  }
  return buffers[slot];
}

//===----------------------------------------------------------------------===//
// Tiling
//===----------------------------------------------------------------------===//

int64_t TileGrid::maxRows() const {
  int64_t rows = 1;
  for (unsigned d = 0; d < numRowDims; ++d)
    rows *= std::min(chunk[d], extents[d]);
  return rows;
}

int64_t TileGrid::maxCols() const {
  int64_t cols = 1;
  for (unsigned d = numRowDims; d < extents.size(); ++d)
    cols *= std::min(chunk[d], extents[d]);
  return cols;
}

namespace {
/// Chunks for dims [begin, end) (innermost kept whole first) so their
/// product stays <= limit; returns the product.
int64_t chunkGroup(ArrayRef<int64_t> extents, SmallVectorImpl<int64_t> &chunk,
                   unsigned begin, unsigned end, int64_t limit) {
  limit = std::max<int64_t>(limit, 1);
  int64_t size = 1;
  bool split = false;
  for (int64_t d = static_cast<int64_t>(end) - 1;
       d >= static_cast<int64_t>(begin); --d) {
    if (split) {
      chunk[d] = 1;
      continue;
    }
    if (size * extents[d] <= limit) {
      chunk[d] = std::max<int64_t>(extents[d], 1);
      size *= std::max<int64_t>(extents[d], 1);
      continue;
    }
    chunk[d] = std::max<int64_t>(limit / size, 1);
    size *= chunk[d];
    split = true;
  }
  return size;
}
} // namespace

TileGrid vpu::planTiles(ArrayRef<int64_t> extents, unsigned numRowDims,
                        int64_t maxElements, int64_t maxRows, int64_t maxCols,
                        unsigned firstSpannedRowDim) {
  TileGrid grid;
  grid.extents.assign(extents.begin(), extents.end());
  grid.numRowDims = numRowDims;
  grid.chunk.assign(extents.size(), 1);
  maxElements = std::max<int64_t>(maxElements, 1);
  int64_t cols = chunkGroup(extents, grid.chunk, numRowDims, extents.size(),
                            std::min(maxCols, maxElements));
  int64_t rowLimit =
      std::min(maxRows, std::max<int64_t>(maxElements / cols, 1));
  chunkGroup(extents, grid.chunk, std::min(firstSpannedRowDim, numRowDims),
             numRowDims, rowLimit);
  return grid;
}

void vpu::forEachTile(const TileGrid &grid, bool colsOuter,
                      function_ref<void(const Tile &)> fn) {
  unsigned rank = grid.extents.size();
  for (int64_t extent : grid.extents)
    if (extent == 0)
      return;
  // Dims in enumeration order: the outer group, then the inner group.
  SmallVector<unsigned> order;
  unsigned innerBegin;
  if (colsOuter) {
    for (unsigned d = grid.numRowDims; d < rank; ++d)
      order.push_back(d);
    innerBegin = order.size();
    for (unsigned d = 0; d < grid.numRowDims; ++d)
      order.push_back(d);
  } else {
    for (unsigned d = 0; d < rank; ++d)
      order.push_back(d);
    innerBegin = grid.numRowDims;
  }
  Tile tile;
  tile.start.assign(rank, 0);
  tile.size.assign(rank, 1);
  unsigned index = 0;
  while (true) {
    tile.rows = 1;
    tile.cols = 1;
    for (unsigned d = 0; d < rank; ++d) {
      tile.size[d] = std::min(grid.chunk[d], grid.extents[d] - tile.start[d]);
      (d < grid.numRowDims ? tile.rows : tile.cols) *= tile.size[d];
    }
    tile.firstInner = true;
    tile.lastInner = true;
    for (unsigned i = innerBegin; i < order.size(); ++i) {
      unsigned d = order[i];
      if (tile.start[d] != 0)
        tile.firstInner = false;
      if (tile.start[d] + tile.size[d] < grid.extents[d])
        tile.lastInner = false;
    }
    tile.index = index++;
    fn(tile);
    // Odometer over the dims, innermost last in `order`.
    int64_t i = static_cast<int64_t>(order.size()) - 1;
    for (; i >= 0; --i) {
      unsigned d = order[i];
      tile.start[d] += grid.chunk[d];
      if (tile.start[d] < grid.extents[d])
        break;
      tile.start[d] = 0;
    }
    if (i < 0)
      return;
  }
}

SmallVector<CopyDim> vpu::tileBox(const Tile &tile, ArrayRef<int64_t> strides,
                                  ArrayRef<bool> dims) {
  SmallVector<CopyDim> box;
  int64_t sramStride = 1;
  for (int64_t d = static_cast<int64_t>(tile.size.size()) - 1; d >= 0; --d) {
    if (!dims[d])
      continue;
    box.push_back({tile.size[d], strides[d], sramStride});
    sramStride *= tile.size[d];
  }
  std::reverse(box.begin(), box.end());
  return box;
}

int64_t vpu::tileOffset(const Tile &tile, ArrayRef<int64_t> strides) {
  int64_t offset = 0;
  for (auto [start, stride] : llvm::zip(tile.start, strides))
    offset += start * stride;
  return offset;
}

int64_t vpu::chooseTileElements(const npurt::Target &target, int64_t total,
                                uint64_t sramBytesPerElement,
                                uint64_t dramBytesPerElement) {
  total = std::max<int64_t>(total, 1);
  int64_t fit = std::max<int64_t>(
      static_cast<int64_t>(sramBudget(target) /
                           std::max<uint64_t>(sramBytesPerElement, 1)),
      1);
  double transfer = static_cast<double>(total) *
                    std::max<uint64_t>(dramBytesPerElement, 1) /
                    target.dram_bytes_per_cycle;
  double latency = std::max<double>(target.dma_latency_cycles, 1.0);
  int64_t tiles = std::max<int64_t>(
      1, static_cast<int64_t>(std::floor(transfer / (2.0 * latency))));
  tiles = std::max(tiles, (total + fit - 1) / fit);
  return std::max<int64_t>(std::min(fit, (total + tiles - 1) / tiles), 1);
}

//===----------------------------------------------------------------------===//
// Copies through SRAM
//===----------------------------------------------------------------------===//

int64_t SramCopier::tileElements(const npurt::Target &target, int64_t total,
                                 unsigned numBuffers) {
  return chooseTileElements(target, total, 4ull * numBuffers, 8);
}

unsigned SramCopier::depth(bool doubleBuffering) {
  // A tile's store waits for its load's latency, and the buffer's next load
  // for that store's: four buffers keep a few small boxes (the pieces of a
  // split, say) all in flight instead of two round trips.
  return doubleBuffering ? 4 : 1;
}

SramCopier::SramCopier(KernelContext &ctx, int64_t maxTileElements)
    : ctx(ctx), maxTileElements(std::max<int64_t>(maxTileElements, 1)),
      ring(Space::Sram, static_cast<uint64_t>(this->maxTileElements) * 4,
           depth(ctx.doubleBuffering()), "copy") {}

LogicalResult SramCopier::copy(Operation *op, const TensorRef &src,
                               int64_t srcOffset, ArrayRef<int64_t> srcStrides,
                               const TensorRef &dst, int64_t dstOffset,
                               ArrayRef<int64_t> dstStrides,
                               ArrayRef<int64_t> extents) {
  std::optional<DType> staging = stagingType(src.dtype, dst.dtype);
  if (!staging)
    return unsupported(op) << "the DMA cannot convert "
                           << npurt::dtypeName(src.dtype) << " to "
                           << npurt::dtypeName(dst.dtype);
  // Merge dims contiguous on both sides so tiles are as long as possible.
  SmallVector<int64_t> dims, srcS, dstS;
  for (unsigned d = 0; d < extents.size(); ++d) {
    if (extents[d] == 0)
      return success();
    if (extents[d] == 1)
      continue;
    if (!dims.empty() && srcS.back() == srcStrides[d] * extents[d] &&
        dstS.back() == dstStrides[d] * extents[d]) {
      dims.back() *= extents[d];
      srcS.back() = srcStrides[d];
      dstS.back() = dstStrides[d];
      continue;
    }
    dims.push_back(extents[d]);
    srcS.push_back(srcStrides[d]);
    dstS.push_back(dstStrides[d]);
  }
  KernelBuilder &kb = ctx.builder();
  TileGrid grid = planTiles(dims, dims.size(), maxTileElements,
                            std::numeric_limits<int64_t>::max(), 1);
  SmallVector<bool> all(dims.size(), true);
  forEachTile(grid, false, [&](const Tile &tile) {
    Value buffer = ring.next(kb);
    emitDmaBox(kb, /*load=*/true,
               elementOf(src, srcOffset + tileOffset(tile, srcS)), src.dtype,
               {buffer, 0}, *staging, tileBox(tile, srcS, all));
    emitDmaBox(kb, /*load=*/false,
               elementOf(dst, dstOffset + tileOffset(tile, dstS)), dst.dtype,
               {buffer, 0}, *staging, tileBox(tile, dstS, all));
  });
  return success();
}

LogicalResult vpu::copyTensor(KernelContext &ctx, Operation *op,
                              const TensorRef &src, const TensorRef &dst) {
  int64_t total = src.numElements();
  SramCopier copier(
      ctx, SramCopier::tileElements(ctx.target(), total,
                                    SramCopier::depth(ctx.doubleBuffering())));
  return copier.copy(op, src, 0, {1}, dst, 0, {1}, {total});
}

//===----------------------------------------------------------------------===//
// VPU instructions
//===----------------------------------------------------------------------===//

npurt::Instruction vpu::vpuInst(npurt::Opcode opcode, npurt::VpuFunc func,
                                int64_t rows, int64_t cols) {
  npurt::Instruction inst;
  inst.opcode = opcode;
  inst.func = func;
  inst.rows = static_cast<uint16_t>(rows);
  inst.cols = static_cast<uint16_t>(cols);
  return inst;
}

KernelBuilder::VpuOperand vpu::operand(Value buffer, int64_t rowStride,
                                       DType dtype, uint64_t offset) {
  KernelBuilder::VpuOperand result;
  result.ref = {buffer, offset};
  result.rowStride = static_cast<uint32_t>(rowStride);
  result.dtype = dtype;
  return result;
}
