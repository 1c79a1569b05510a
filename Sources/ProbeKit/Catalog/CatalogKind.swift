import SmokeCore

/// The lists a server publishes: tools, resources, prompts. Each is read with `<kind>/list`,
/// page by page (`nextCursor`), into the array under its own key.
public enum CatalogKind: String, CaseIterable, Sendable, Comparable {
    case tools
    case resources
    case prompts

    public var method: String { "\(rawValue)/list" }

    /// A requirement names a tool or prompt by `name`, a resource by `uri` or `name`.
    public func names(of item: JSONValue) -> [String] {
        switch self {
        case .tools, .prompts: [item["name"]?.stringValue].compactMap { $0 }
        case .resources: [item["uri"]?.stringValue, item["name"]?.stringValue].compactMap { $0 }
        }
    }

    /// Whether the server says it has this list (`capabilities.tools` / `.resources` / `.prompts`).
    public func advertised(in capabilities: JSONValue?) -> Bool {
        guard let value = capabilities?[rawValue] else { return false }
        return !value.isNull
    }

    public static func < (lhs: CatalogKind, rhs: CatalogKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The most pages one listing may take: a server whose cursors never end is not ready.
    public static let maxPages = 1000

    /// One page of a `<kind>/list` result: its items and the cursor to the next page (nil at
    /// the last one), or why the result is not a page.
    public func page(_ result: JSONValue?) -> Result<(items: [JSONValue], next: String?), PageFailure> {
        guard let items = result?[rawValue]?.arrayValue else {
            return .failure(PageFailure(message: "\(method) result has no \"\(rawValue)\" array"))
        }
        guard let next = result?["nextCursor"]?.stringValue, !next.isEmpty else { return .success((items, nil)) }
        return .success((items, next))
    }

    public struct PageFailure: Error, Sendable, Equatable {
        public var message: String
    }
}

/// Follows `nextCursor` across the pages of one listing and refuses a cursor that comes back
/// (a loop) or a listing longer than `CatalogKind.maxPages` pages. Transport-neutral: the HTTP
/// and stdio probes feed it the pages they read.
public struct CatalogPager: Sendable {
    public let kind: CatalogKind
    public private(set) var items: [JSONValue] = []
    public private(set) var cursor: String?
    private var seen: Set<String> = []
    private var pages = 0

    public init(kind: CatalogKind) {
        self.kind = kind
    }

    /// The params of the next request (`{"cursor": …}` after the first page).
    public var params: JSONValue? { cursor.map { ["cursor": .string($0)] } }

    public enum Progress: Sendable, Equatable {
        case more
        case done([JSONValue])
        case failed(String)
    }

    public mutating func absorb(_ result: JSONValue?) -> Progress {
        pages += 1
        switch kind.page(result) {
        case .failure(let failure): return .failed(failure.message)
        case .success(let page):
            items += page.items
            guard let next = page.next else { return .done(items) }
            guard seen.insert(next).inserted else {
                return .failed("\(kind.method) nextCursor repeats (\(next)): pagination loops")
            }
            guard pages < CatalogKind.maxPages else {
                return .failed("\(kind.method) has more than \(CatalogKind.maxPages) pages")
            }
            cursor = next
            return .more
        }
    }
}
