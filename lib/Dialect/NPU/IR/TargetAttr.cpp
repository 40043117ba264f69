//===- TargetAttr.cpp - #npu.target: the chip as an MLIR attribute ---------===//
//
// The attribute stores every field of the runtime's `npurt::Target` in a
// dictionary (integers as i64, reals as f64, text as strings), keyed by the
// runtime's field names. Parsing, defaults, key checking and validation all go
// through the runtime's JSON reader and validator, so the attribute, JSON chip
// files and the binary's .npu.target section accept exactly the same chips
// with the same messages.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NPU/IR/NPU.h"

#include "mlir/IR/DialectImplementation.h"

#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::npu;

namespace {

/// The dictionary holding every field of `target`, in canonical order.
DictionaryAttr fieldsOf(MLIRContext *context, const npurt::Target &target) {
  Builder builder(context);
  SmallVector<NamedAttribute> entries;
  for (const npurt::TargetField &field : npurt::targetFields()) {
    Attribute value;
    if (field.integer)
      value = builder.getI64IntegerAttr(
          static_cast<int64_t>(target.*(field.integer)));
    else if (field.real)
      value = builder.getF64FloatAttr(target.*(field.real));
    else
      value = builder.getStringAttr(target.*(field.text));
    entries.push_back(builder.getNamedAttr(field.name, value));
  }
  return builder.getDictionaryAttr(entries);
}

/// Turns `fields` (attribute values) into the runtime's JSON form, layered on
/// `preset`. Values of kinds JSON chips cannot hold are errors naming the key.
FailureOr<std::string>
toTargetJSON(DictionaryAttr fields, StringRef preset,
             function_ref<InFlightDiagnostic()> emitError) {
  llvm::json::Object object;
  object["preset"] = preset.str();
  for (NamedAttribute entry : fields) {
    StringRef key = entry.getName().getValue();
    Attribute value = entry.getValue();
    if (auto integer = dyn_cast<IntegerAttr>(value)) {
      if (integer.getType().isInteger(1))
        object[key] = integer.getValue().getBoolValue();
      else
        object[key] = integer.getValue().getSExtValue();
    } else if (auto real = dyn_cast<FloatAttr>(value)) {
      object[key] = real.getValueAsDouble();
    } else if (auto text = dyn_cast<StringAttr>(value)) {
      object[key] = text.getValue().str();
    } else {
      emitError() << "target field '" << key
                  << "' must be an integer, a float or a string";
      return failure();
    }
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(object));
  return text;
}

/// Parses runtime JSON into the attribute, reporting the runtime's message.
FailureOr<TargetAttr>
targetFromJSON(MLIRContext *context, StringRef json,
               function_ref<InFlightDiagnostic()> emitError) {
  llvm::Expected<npurt::Target> target = npurt::parseTargetJSON(json);
  if (!target) {
    emitError() << "invalid target: " << llvm::toString(target.takeError());
    return failure();
  }
  return TargetAttr::get(context, *target);
}

} // namespace

TargetAttr TargetAttr::get(MLIRContext *context, const npurt::Target &target) {
  return get(context, fieldsOf(context, target));
}

FailureOr<TargetAttr>
TargetAttr::parseJSON(MLIRContext *context, StringRef json,
                      function_ref<InFlightDiagnostic()> emitError) {
  return targetFromJSON(context, json, emitError);
}

npurt::Target TargetAttr::getTarget() const {
  // The verifier ran the same conversion, so it cannot fail here; an
  // unverified attribute yields the default chip rather than crashing.
  auto json = toTargetJSON(getFields(), "npu-base", [this] {
    return mlir::emitError(UnknownLoc::get(getContext()));
  });
  if (failed(json))
    return npurt::Target();
  llvm::Expected<npurt::Target> target = npurt::parseTargetJSON(*json);
  if (!target) {
    llvm::consumeError(target.takeError());
    return npurt::Target();
  }
  return *target;
}

LogicalResult
TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                   DictionaryAttr fields) {
  FailureOr<std::string> json = toTargetJSON(fields, "npu-base", emitError);
  if (failed(json))
    return failure();
  llvm::Expected<npurt::Target> target = npurt::parseTargetJSON(*json);
  if (!target) {
    emitError() << "invalid target: " << llvm::toString(target.takeError());
    return failure();
  }
  return success();
}

TargetAttr TargetAttr::lookup(Operation *op) {
  for (; op; op = op->getParentOp())
    if (auto target = op->getAttrOfType<TargetAttr>(kAttrName))
      return target;
  return {};
}

/// `<"preset">`, `<"preset", {overrides}>` or `<{overrides of npu-base}>`.
Attribute TargetAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess())
    return {};
  std::string preset = "npu-base";
  DictionaryAttr overrides;
  if (succeeded(parser.parseOptionalString(&preset))) {
    if (succeeded(parser.parseOptionalComma()) &&
        parser.parseAttribute(overrides))
      return {};
  } else if (parser.parseAttribute(overrides)) {
    return {};
  }
  if (parser.parseGreater())
    return {};

  auto emitError = [&] { return parser.emitError(loc); };
  llvm::Expected<npurt::Target> base = npurt::Target::preset(preset);
  if (!base) {
    emitError() << "invalid target: " << llvm::toString(base.takeError());
    return {};
  }
  if (!overrides)
    overrides = DictionaryAttr::get(parser.getContext());
  FailureOr<std::string> json = toTargetJSON(overrides, preset, emitError);
  if (failed(json))
    return {};
  FailureOr<TargetAttr> attr =
      targetFromJSON(parser.getContext(), *json, emitError);
  if (failed(attr))
    return {};
  return *attr;
}

/// Prints relative to the preset that needs the fewest overrides.
void TargetAttr::print(AsmPrinter &printer) const {
  DictionaryAttr fields = getFields();
  StringRef bestPreset;
  SmallVector<NamedAttribute> bestOverrides;
  for (StringRef name : npurt::presetNames()) {
    llvm::Expected<npurt::Target> preset = npurt::Target::preset(name);
    if (!preset) {
      llvm::consumeError(preset.takeError());
      continue;
    }
    DictionaryAttr presetFields = fieldsOf(getContext(), *preset);
    SmallVector<NamedAttribute> overrides;
    for (NamedAttribute entry : fields)
      if (presetFields.get(entry.getName()) != entry.getValue())
        overrides.push_back(entry);
    if (bestPreset.empty() || overrides.size() < bestOverrides.size()) {
      bestPreset = name;
      bestOverrides = std::move(overrides);
    }
  }
  printer << "<\"" << bestPreset << "\"";
  if (!bestOverrides.empty()) {
    // Values print without their (default) types: `{mxu_rows = 64}`.
    printer << ", {";
    llvm::interleaveComma(bestOverrides, printer, [&](NamedAttribute entry) {
      printer.printKeywordOrString(entry.getName().getValue());
      printer << " = ";
      Attribute value = entry.getValue();
      if (auto integer = dyn_cast<IntegerAttr>(value))
        printer << integer.getValue().getSExtValue();
      else if (auto real = dyn_cast<FloatAttr>(value))
        printer.printFloat(real.getValue());
      else
        printer.printAttribute(value);
    });
    printer << "}";
  }
  printer << ">";
}
