import Foundation
import SmokeCore

/// A git revision's tree written into a directory (by GitKit, through libgit2), and what the
/// render needs to know about the repository.
public struct ExportedRevision: Sendable {
    /// The repository's working tree (the directory the render's paths live in).
    public var workTree: String
    /// Where the revision's tree was written.
    public var directory: String
    /// The revision as given (`HEAD~1`, `main`, a tag, a commit id).
    public var revision: String
    /// The commit it names.
    public var commit: String
    /// The commit HEAD points at (nil before the first commit).
    public var headCommit: String?
    /// The paths asked about (absolute, as given) that git ignores.
    public var ignored: Set<String>

    public init(
        workTree: String, directory: String, revision: String, commit: String, headCommit: String?, ignored: Set<String>
    ) {
        self.workTree = workTree
        self.directory = directory
        self.revision = revision
        self.commit = commit
        self.headCommit = headCommit
        self.ignored = ignored
    }
}

/// `render-manifest diff --base-ref REV`: the render of the working tree against the same render of
/// the inputs as they were at REV. The revision's tree is exported into a temporary directory
/// (never a checkout of the repository) and every input path inside the working tree is re-rooted
/// there; the directory is removed whatever happens.
public enum RevisionDiff {
    /// Writes the revision's tree into `directory` and answers which of `inputs` git ignores.
    public typealias Exporter = (_ directory: String, _ inputs: [String]) throws(SmokeError) -> ExportedRevision

    public static func run(_ options: RenderOptions, revision: String, export: Exporter) throws(SmokeError)
        -> SurfaceDiffReport
    {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let exported = try export(directory, inputPaths(options))
        let (baseOptions, warnings) = try rebase(options, onto: exported)
        var headOptions = options
        headOptions.allowHardcodedPort = true

        let base = try surface(
            baseOptions, side: "base", label: "base (\(revision))", exported: exported,
            origin: [
                "kind": "revision", "revision": .string(revision), "commit": .string(exported.commit),
                "repository": .string(exported.workTree),
            ])
        let head = try surface(
            headOptions, side: "head", label: "head (working tree)", exported: nil,
            origin: [
                "kind": "working_tree", "repository": .string(exported.workTree),
                "head_commit": exported.headCommit.map(JSONValue.string) ?? .null,
            ])
        var report = SurfaceDiff.compare(base: base, head: head)
        report.warnings = warnings + report.warnings
        return report
    }

    /// The render of one side as a tool surface. A render that enables no tool is an empty surface
    /// (a base before the first tool existed); any other failure names the side, and a path inside
    /// the export is written `REV:path`, as git does.
    static func surface(
        _ options: RenderOptions, side: String, label: String, exported: ExportedRevision?, origin: [String: JSONValue]
    ) throws(SmokeError) -> ToolSurface {
        do {
            return ToolSurface(manifest: try Renderer.plan(options).manifest, origin: origin)
        } catch  where error.code == .emptyManifest {
            return ToolSurface(tools: [:], origin: origin, warnings: ["\(label): the render enables no tool"])
        } catch {
            var failure = error
            let rewrite = { (text: String) -> String in
                guard let exported else { return text }
                return text.replacingOccurrences(of: exported.directory + "/", with: "\(exported.revision):")
            }
            failure.message = "\(label): " + rewrite(failure.message)
            for (key, value) in failure.fields {
                if let text = value.stringValue { failure.fields[key] = .string(rewrite(text)) }
            }
            failure.fields["side"] = .string(side)
            throw failure
        }
    }

    /// Every path the render reads or looks in, absolute with symbolic links resolved: the
    /// exporter says which git ignores.
    static func inputPaths(_ options: RenderOptions) -> [String] {
        let paths = RenderPaths(workingDirectory: options.workingDirectory)
        let configHome = paths.configHome(flag: options.configHome, environment: options.processEnvironment)
        var inputs = [
            options.workingDirectory, configHome, paths.absolute(options.template ?? Renderer.defaultTemplate),
        ]
        inputs += [
            options.overlayTemplate, options.fallbackEnv, options.overlayEnv, envFileFlag(options),
            options.pythonDefaults,
        ]
        .compactMap { $0 }.map(paths.absolute)
        inputs += options.catalogs.map(paths.absolute) + options.bundles.map(paths.absolute)
        inputs += defaultFiles.map { "\(configHome)/\($0)" }
        return inputs.map(resolved)
    }

    /// The files a render reads from the config home when no flag names them.
    static let defaultFiles = [".env", ".env.local", "proxy.template.local.json"]

    static func envFileFlag(_ options: RenderOptions) -> String? {
        options.envFile ?? options.processEnvironment["STELAE_ENV_FILE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Where one side's input is read at the revision.
    enum Placement: Equatable {
        /// Outside the working tree, or a local file git ignores that the revision does not
        /// have: the same file on both sides.
        case shared(String)
        /// In the revision's tree.
        case revision(String)
        /// Inside the working tree, not ignored, absent from the revision.
        case absent(String)

        var path: String {
            switch self {
            case .shared(let path), .revision(let path), .absent(let path): path
            }
        }
    }

    static func place(_ path: String, in exported: ExportedRevision) -> Placement {
        guard let relative = relativePath(path, in: exported.workTree) else { return .shared(path) }
        let target = relative.isEmpty ? exported.directory : "\(exported.directory)/\(relative)"
        if FileManager.default.fileExists(atPath: target) { return .revision(target) }
        if exported.ignored.contains(resolved(path)) { return .shared(path) }
        return .absent(target)
    }

    /// `path` relative to the working tree (symbolic links resolved on both), or nil when it lies
    /// outside it or in `.git`.
    static func relativePath(_ path: String, in workTree: String) -> String? {
        let resolvedPath = resolved(path)
        let root = resolved(workTree)
        let relative: String
        if resolvedPath == root {
            relative = ""
        } else if root == "/" {
            relative = String(resolvedPath.dropFirst())
        } else if resolvedPath.hasPrefix(root + "/") {
            relative = String(resolvedPath.dropFirst(root.count + 1))
        } else {
            return nil
        }
        if relative == ".git" || relative.hasPrefix(".git/") { return nil }
        return relative
    }

    /// The real path of the deepest existing ancestor, with the rest appended.
    static func resolved(_ path: String) -> String {
        var existing = (path as NSString).standardizingPath
        var rest: [String] = []
        while true {
            if let real = realpath(existing, nil) {
                defer { free(real) }
                var result = String(cString: real)
                for component in rest.reversed() { result = (result as NSString).appendingPathComponent(component) }
                return result
            }
            let parent = (existing as NSString).deletingLastPathComponent
            if parent == existing || parent.isEmpty { return path }
            rest.append((existing as NSString).lastPathComponent)
            existing = parent
        }
    }

    /// The head's options with every input inside the working tree read from the export. A file
    /// named by a flag that the revision does not have is left out of the base render (a warning
    /// says so); a missing template is an error.
    static func rebase(_ options: RenderOptions, onto exported: ExportedRevision) throws(SmokeError) -> (
        RenderOptions, [String]
    ) {
        let paths = RenderPaths(workingDirectory: options.workingDirectory)
        var base = options
        var warnings: [String] = []
        var inside = false
        func locate(_ path: String) -> Placement {
            let placement = place(path, in: exported)
            if case .shared = placement {} else { inside = true }
            return placement
        }
        func optional(_ flag: String, _ value: String?) -> String? {
            guard let value else { return nil }
            let placement = locate(paths.absolute(value))
            if case .absent = placement {
                warnings.append(
                    "\(flag) \(value) does not exist at \(exported.revision); the base render goes without it")
                return nil
            }
            return placement.path
        }

        // Relative values in env layers resolve against the working directory: its copy, when the revision has it.
        if case .revision(let directory) = place(options.workingDirectory, in: exported) {
            base.workingDirectory = directory
        }
        let template = options.template ?? Renderer.defaultTemplate
        let templatePlacement = locate(paths.absolute(template))
        if case .absent = templatePlacement {
            throw SmokeError(
                .fileNotFound,
                "base (\(exported.revision)): the template \(template) does not exist at \(exported.revision)",
                fields: ["file": .string(template), "side": "base"])
        }
        base.template = templatePlacement.path

        let headConfigHome = paths.configHome(flag: options.configHome, environment: options.processEnvironment)
        base.configHome = locate(headConfigHome).path
        base.overlayTemplate = optional("--overlay-template", options.overlayTemplate)
        base.fallbackEnv = optional("--fallback-env", options.fallbackEnv)
        base.overlayEnv = optional("--overlay-env", options.overlayEnv)
        base.envFile = optional(options.envFile == nil ? "STELAE_ENV_FILE" : "--env-file", envFileFlag(options))
        base.processEnvironment["STELAE_ENV_FILE"] = nil
        if options.pythonDefaults != nil {
            base.pythonDefaults = optional("--python-defaults", options.pythonDefaults)
            if base.pythonDefaults == nil { base.noPythonDefaults = true }
        }
        // The config home's own files, read when no flag names them: a local file git ignores (an
        // .env, a .env.local) is the same on both sides, so the base reads the working tree's.
        let defaults: [(flag: String?, file: String, set: (inout RenderOptions, String) -> Void)] = [
            (envFileFlag(options), ".env", { $0.envFile = $1 }),
            (options.overlayEnv, ".env.local", { $0.overlayEnv = $1 }),
            (options.overlayTemplate, "proxy.template.local.json", { $0.overlayTemplate = $1 }),
        ]
        for entry in defaults where entry.flag == nil {
            let path = "\(headConfigHome)/\(entry.file)"
            if case .shared = locate(path), FileManager.default.fileExists(atPath: path) { entry.set(&base, path) }
        }
        base.catalogs = options.catalogs.compactMap { optional("--catalog", $0) }
        base.bundles = options.bundles.compactMap { bundle in
            let file = bundle.hasSuffix(".json") ? bundle : "\(bundle)/catalog.json"
            return optional("--bundle", file)
        }
        base.stateHome = options.stateHome.map(paths.absolute)
        base.outDir = options.outDir.map(paths.absolute)
        base.allowHardcodedPort = true
        if !inside {
            warnings.append(
                "no render input lies inside the repository at \(exported.workTree): both sides read the same files")
        }
        return (base, warnings)
    }

    static func makeTemporaryDirectory() throws(SmokeError) -> String {
        var template = Array("\(FileManager.default.temporaryDirectory.path)/render-manifest-diff-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let pointer = mkdtemp(buffer.baseAddress!) else { return nil }
            return String(cString: pointer)
        }
        guard let made else {
            throw SmokeError(
                .writeFailed,
                "cannot create a temporary directory for the revision: \(String(cString: strerror(errno)))")
        }
        return made
    }
}
