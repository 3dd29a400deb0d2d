import Foundation
import Testing

@testable import LocalRuntime

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Container output")
struct ContainerOutputTests {
  @Test(
    "root users recognised",
    arguments: [
      ("", true), ("root", true), ("0", true), ("0:0", true), ("root:staff", true), ("1000", false),
      ("app", false), ("nobody:nogroup", false), ("10:0", false),
    ])
  func rootUser(user: String, isRoot: Bool) {
    #expect(ContainerOutput.isRoot(user) == isRoot, "USER \(user)")
  }

  @Test("shell wraps the image's command")
  func shellWrapper() {
    let output = ContainerOutput(command: ["python", "-m", "awslambdaric", "app.handler"])
    #expect(
      output.runOptions(hostPath: "/state/fn/out")
        == [
          "--mount", "type=bind,source=/state/fn/out,target=/run/functions/output", "--entrypoint", "/bin/sh",
        ])
    #expect(
      output.commandArguments(appends: false)
        == [
          "-c", #"exec "$@" >/run/functions/output 2>&1"#, "sh", "python", "-m", "awslambdaric",
          "app.handler",
        ])
    #expect(output.commandArguments(appends: true)[1] == #"exec "$@" >>/run/functions/output 2>&1"#)
  }

  @Test("FIFO delivers output, then end-of-file")
  func fifoEndOfFile() throws {
    try ScratchDirectory.with { directory in
      let fifo = try OutputFIFO(path: directory + "/instance.output")
      let writer = open(fifo.path, O_WRONLY | O_CLOEXEC)
      #expect(writer >= 0)
      #expect(write(writer, "line\n", 5) == 5)
      close(writer)

      // The tool's own write end keeps the FIFO open after the container's writer closed.
      var buffer = [UInt8](repeating: 0, count: 16)
      #expect(read(fifo.readDescriptor, &buffer, buffer.count) == 5)
      var readable = pollfd(fd: fifo.readDescriptor, events: Int16(POLLIN), revents: 0)
      #expect(poll(&readable, 1, 0) == 0)

      fifo.closeKeeper()
      #expect(read(fifo.readDescriptor, &buffer, buffer.count) == 0)
      fifo.discard()
      #expect(!FileManager.default.fileExists(atPath: fifo.path))
    }
  }
}
