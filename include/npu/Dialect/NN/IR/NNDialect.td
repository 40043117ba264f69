//===- NNDialect.td - the nn dialect definition -----------*- tablegen -*-===//
//
// `nn` is the graph level: tensor ops with ONNX semantics, shape-checked.
// This file holds the dialect, the type constraints every op uses and the op
// base classes; the ops themselves are in NNOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NN_IR_NNDIALECT_TD
#define NPU_DIALECT_NN_IR_NNDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::mlir::nn";
  let summary = "Tensor-level graph ops with ONNX semantics";
  let description = [{
    The `nn` dialect is the front end of npu-mlir: every op is a whole tensor
    operation with the semantics ONNX gives it, a verifier that checks shapes,
    dtypes and attributes, and result type inference.

    All tensors are statically shaped. Everything ONNX passes as a constant
    shape-like input (reshape shape, slice bounds, pads, reduction axes, ...)
    is an attribute here, already normalized by the importer: axes are
    non-negative, reshape shapes contain no `-1`/`0` placeholders, slice
    bounds are clamped, and convolution/pooling pads are explicit
    (`auto_pad` resolved).
  }];
  let hasConstantMaterializer = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

/// Every element type the dialect carries (integers are signless).
def NN_Tensor : StaticShapeTensorOf<[F32, F16, BF16, I1, I8, I32, I64]>;
/// Tensors arithmetic is defined on (everything but i1).
def NN_NumericTensor : StaticShapeTensorOf<[F32, F16, BF16, I8, I32, I64]>;
/// Floating-point tensors (transcendental functions, normalizations, convs).
def NN_FloatTensor : StaticShapeTensorOf<[F32, F16, BF16]>;
/// Boolean condition tensors.
def NN_BoolTensor : StaticShapeTensorOf<[I1]>;
/// Index tensors (gather indices).
def NN_IndexTensor : StaticShapeTensorOf<[I32, I64]>;

//===----------------------------------------------------------------------===//
// Op base classes
//===----------------------------------------------------------------------===//

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

/// C++ declarations shared by every op whose result types are computed by a
/// hand-written shape function (NN_ShapeOp). `inferResultTypes` checks the
/// ONNX rules and computes the result types; it reports through `emitError`
/// when that is non-null (from `verify()`) and stays silent otherwise (from
/// builders and `refineReturnTypes`).
defvar nnShapeFnDecl = [{
  static ::llvm::LogicalResult inferResultTypes(
      ::mlir::MLIRContext *context, Adaptor adaptor,
      ::llvm::SmallVectorImpl<::mlir::Type> &resultTypes,
      ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError);
}];

/// An op with a hand-written shape function: result types are inferred
/// (builders need none), the verifier reports ONNX rule violations with
/// `emitOpError`, and a written result type that differs from the inferred
/// one is a verifier error.
class NN_ShapeOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [Pure,
          DeclareOpInterfaceMethods<InferTypeOpInterface,
                                    ["refineReturnTypes"]>])> {
  let hasVerifier = 1;
  let extraClassDeclaration = nnShapeFnDecl;
}

/// A unary elementwise op: the result has the operand's type.
class NN_UnaryOp<string mnemonic, Type operandType, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType,
                                           InferTypeOpInterface])> {
  let arguments = (ins operandType:$input);
  let results = (outs operandType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

/// A binary elementwise op with multidirectional (numpy) broadcasting. Both
/// operands have the same element type, which is the result's.
class NN_BinaryOp<string mnemonic, Type operandType, list<Trait> traits = []>
    : NN_ShapeOp<mnemonic, traits> {
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs operandType:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  // An nn.expand feeding an operand is dropped when broadcasting alone
  // produces the same result type.
  let hasCanonicalizer = 1;
}

#endif // NPU_DIALECT_NN_IR_NNDIALECT_TD
