//===- NpzFormat.cpp - NumPy .npz archives (checkpoints) through libzip ---===//
//
// A .npz file is a zip archive of .npy members; npu-run reads and writes
// checkpoints of persistent state in this format so NumPy (np.load /
// np.savez) reads and writes them too. The zip container is Debian's libzip;
// each member goes through the .npy parser and serializer of NpyFormat.cpp.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/TensorIO.h"

#include "llvm/Support/FormatVariadic.h"

#include <zip.h>

#include <memory>

using namespace llvm;

namespace npurt {

namespace {

Error fail(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// libzip's message for an error code from zip_open.
std::string openErrorText(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

struct ArchiveCloser {
  void operator()(zip_t *archive) const { zip_discard(archive); }
};
struct FileCloser {
  void operator()(zip_file_t *file) const { zip_fclose(file); }
};

} // namespace

Expected<std::vector<NamedTensor>>
readNpzFile(StringRef path, uint64_t maxMemberBytes,
            function_ref<bool(StringRef)> wanted) {
  int code = 0;
  std::unique_ptr<zip_t, ArchiveCloser> archive(
      zip_open(path.str().c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!archive)
    return fail("cannot read '" + path + "' as a .npz archive: " +
                (code == ZIP_ER_EXISTS ? "two members have the same name"
                                       : openErrorText(code)));
  zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  std::vector<NamedTensor> tensors;
  for (zip_int64_t index = 0; index < count; ++index) {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive.get(), index, 0, &stat) != 0 ||
        !(stat.valid & ZIP_STAT_NAME) || !(stat.valid & ZIP_STAT_SIZE))
      return fail(formatv("'{0}': cannot read member {1}: {2}", path, index,
                          zip_strerror(archive.get())));
    StringRef member = stat.name;
    if (!member.ends_with(".npy") || member.size() == 4)
      return fail("'" + path + "': member '" + member +
                  "' is not a <name>.npy array");
    StringRef name = member.drop_back(4);
    if (!wanted(name))
      continue;
    if (stat.size > maxMemberBytes)
      return fail(formatv("'{0}': array '{1}' is {2} bytes, more than any "
                          "tensor it could be loaded into ({3} bytes)",
                          path, name, stat.size, maxMemberBytes));
    std::unique_ptr<zip_file_t, FileCloser> file(
        zip_fopen_index(archive.get(), index, 0));
    if (!file)
      return fail("'" + path + "': cannot open array '" + name +
                  "': " + zip_strerror(archive.get()));
    std::vector<uint8_t> bytes(stat.size);
    zip_int64_t read = zip_fread(file.get(), bytes.data(), bytes.size());
    if (read < 0 || static_cast<uint64_t>(read) != stat.size)
      return fail("'" + path + "': cannot read array '" + name +
                  "': " + zip_file_strerror(file.get()));
    Expected<HostTensor> tensor =
        parseNpy(bytes, (path + ": array '" + name + "'").str());
    if (!tensor)
      return tensor.takeError();
    tensors.push_back({name.str(), std::move(*tensor)});
  }
  return tensors;
}

Error writeNpzFile(StringRef path, ArrayRef<NamedTensor> tensors) {
  int code = 0;
  std::unique_ptr<zip_t, ArchiveCloser> archive(
      zip_open(path.str().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
  if (!archive)
    return fail("cannot write '" + path + "': " + openErrorText(code));
  // libzip reads the member data when the archive is closed: keep it alive.
  std::vector<std::vector<uint8_t>> images;
  images.reserve(tensors.size());
  for (const NamedTensor &named : tensors) {
    Expected<std::vector<uint8_t>> image = serializeNpy(named.tensor);
    if (!image)
      return image.takeError();
    images.push_back(std::move(*image));
    zip_source_t *source = zip_source_buffer(
        archive.get(), images.back().data(), images.back().size(), 0);
    std::string member = named.name + ".npy";
    zip_int64_t index =
        source ? zip_file_add(archive.get(), member.c_str(), source,
                              ZIP_FL_ENC_UTF_8)
               : -1;
    if (index < 0) {
      if (source)
        zip_source_free(source);
      return fail("cannot add '" + member + "' to '" + path +
                  "': " + zip_strerror(archive.get()));
    }
    if (zip_set_file_compression(archive.get(), index, ZIP_CM_STORE, 0) != 0)
      return fail("cannot store '" + member + "' in '" + path +
                  "': " + zip_strerror(archive.get()));
  }
  zip_t *raw = archive.release();
  if (zip_close(raw) != 0) {
    std::string message = zip_strerror(raw);
    zip_discard(raw);
    return fail("cannot write '" + path + "': " + message);
  }
  return Error::success();
}

} // namespace npurt
