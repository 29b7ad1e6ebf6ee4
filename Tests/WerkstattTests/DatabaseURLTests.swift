import Testing
import WerkstattStore

@Suite struct DatabaseURLTests {
    @Test("user, password and database are percent-decoded exactly once")
    func decodedOnce() throws {
        let url = try DatabaseURL("postgres://us%40er:p%2541ss%3Aw@db.example:6543/werk%2Dstatt?sslmode=require")
        #expect(url.username == "us@er")
        #expect(url.password == "p%41ss:w")
        #expect(url.database == "werk-statt")
        #expect(url.port == 6543)
        #expect(!url.description.contains("p%41ss"), "the password is never printed")
    }
}
