/// The kernel's TCP socket states as `/proc/net/tcp` prints them (hex in the `st` column).
public enum TCPState: UInt8, Sendable, CaseIterable {
    case established = 0x01
    case synSent = 0x02
    case synReceived = 0x03
    case finWait1 = 0x04
    case finWait2 = 0x05
    case timeWait = 0x06
    case close = 0x07
    case closeWait = 0x08
    case lastAck = 0x09
    case listen = 0x0A
    case closing = 0x0B
    case newSynReceived = 0x0C

    /// The name `ss` uses, so the JSON reads the way people already know these states.
    public var name: String {
        switch self {
        case .established: "ESTABLISHED"
        case .synSent: "SYN_SENT"
        case .synReceived: "SYN_RECV"
        case .finWait1: "FIN_WAIT1"
        case .finWait2: "FIN_WAIT2"
        case .timeWait: "TIME_WAIT"
        case .close: "CLOSE"
        case .closeWait: "CLOSE_WAIT"
        case .lastAck: "LAST_ACK"
        case .listen: "LISTEN"
        case .closing: "CLOSING"
        case .newSynReceived: "NEW_SYN_RECV"
        }
    }
}
