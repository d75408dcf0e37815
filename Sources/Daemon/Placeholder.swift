public enum JobPrepCommand { public static func main() {} }
