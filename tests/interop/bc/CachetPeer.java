// The Bouncy Castle peer of tests/interop/bc.sh: produces and consumes CMS and S/MIME
// with BC's CMS (bcpkix) and S/MIME (bcmail) APIs, the way a Java application would.
//
//   java CachetPeer batch JOBS RESULTS   one job per line of JOBS (tab-separated:
//                                        ID OP --opt VALUE ...), one result line per job,
//                                        after a line "version OK <BC's version>"
//   java CachetPeer OP --opt VALUE ...   a single job; the result line on stdout
//
// Result line: ID <TAB> OK|UNSUPPORTED|FAIL <TAB> detail. OK details are "key=value" words
// the script checks (algorithm OIDs, self=ok when BC also read back what it wrote).
// UNSUPPORTED: BC does not know the algorithm or form (NoSuchAlgorithm, "unknown ...").
//
// Ops (forms: smime, smime-detached, smime-opaque, der, der-detached, der-opaque,
// der-stream-opaque, der-stream-detached, der-stream; pem, pem-opaque: JcaPEMWriter's PKCS7):
//   sign       --form F --alg SHA256withRSA|SHA256WITHRSAANDMGF1|SHA384withECDSA|Ed25519|Ed448
//              --cert C --key K [--alg A --cert C --key K]... (one SignerInfo each)
//              --chain I --in CONTENT --out OUT [--from ADDR] [--ca CA: for the read-back]
//              [--inner digested [--inner-alg SHA-256]] [--sid skid: subjectKeyIdentifier]
//   verify     --form F --ca CA --in MSG --out CONTENT [--content DETACHED]
//              (every SignerInfo must verify and chain to CA)
//   encrypt    --form F --cipher aes-256-cbc|aes-128-gcm|aes-256-ccm|chacha20-poly1305|
//              des-ede3-cbc|des-cbc|rc2-40-cbc|rc2-64-cbc|rc2-128-cbc|cast5-cbc|idea-cbc|
//              seed-cbc|camellia-128-cbc|camellia-192-cbc|camellia-256-cbc
//              --to SPEC [--to SPEC]... --in CONTENT --out OUT [--from ADDR]
//              SPEC: rsa:CERT, oaep-sha1:CERT, oaep-sha256:CERT, ecdh-sha1kdf:CERT,
//              ecdh-sha256kdf:CERT (sha384kdf, sha512kdf; X25519/X448 certificates too;
//              ecdh-sha256kdf+ukm:CERT adds 64 bytes of ukm),
//              kek:HEXKEY:HEXID, pwd:PASSWORD:ITERATIONS:sha1|sha256|sha512
//              [--self-key KEY: the first recipient's private key, for the read-back]
//              [--rid skid: certificate recipients by subjectKeyIdentifier]
//   decrypt    --form F --in MSG --out CONTENT and one of: --cert C --key K,
//              --kek HEXKEY:HEXID, --password PW
//   compress   --form F --in CONTENT --out OUT
//   decompress --form F --in MSG --out CONTENT
//   edata-encrypt --form F --cipher aes-*-cbc --key HEX --in CONTENT --out OUT  (EncryptedData)
//   edata-decrypt --form F --key HEX --in MSG --out CONTENT
//   digest     --form F --alg SHA-256|SHA-384|SHA-512 --in CONTENT --out OUT    (DigestedData)
//   undigest   --form F --in MSG --out CONTENT
// sign --inner digested signs a DigestedData of the content (eContentType id-digestedData,
// the eContent the bare DigestedData, RFC 5652 sections 5.2 and 7).
// Produce ops (sign, encrypt, compress) read their own output back (self=ok|fail:...),
// which tells a BC limitation from a cachet mistake in the other direction.
// Files: CachetPeer (this: entry, dispatch), SignedOps, EnvelopedOps, OtherOps (EncryptedData,
// DigestedData, CompressedData), PeerBase (options, errors, keys, files, MIME framing).
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

public final class CachetPeer extends PeerBase {
    public static void main(String[] args) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        if (args.length == 3 && args[0].equals("batch")) {
            List<String> lines = Files.readAllLines(Paths.get(args[1]), StandardCharsets.UTF_8);
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Paths.get(args[2])))) {
                w.println("version\tOK\t" + Security.getProvider(BC).getVersionStr());
                for (String line : lines) {
                    if (line.isEmpty()) {
                        continue;
                    }
                    List<String> t = new ArrayList<>(List.of(line.split("\t")));
                    String id = t.remove(0);
                    w.println(id + "\t" + run(t));
                    w.flush();
                }
            }
            return;
        }
        if (args.length == 0) {
            System.err.println("usage: CachetPeer batch JOBS RESULTS | OP --opt VALUE ...");
            System.exit(2);
        }
        String r = run(new ArrayList<>(List.of(args)));
        System.out.println("-\t" + r);
        System.exit(r.startsWith("OK") ? 0 : 1);
    }

    static String run(List<String> t) {
        String op = t.remove(0);
        try {
            Opts o = new Opts(t);
            String d;
            switch (op) {
                case "sign": d = SignedOps.sign(o); break;
                case "verify": d = SignedOps.verify(o); break;
                case "encrypt": d = EnvelopedOps.encrypt(o); break;
                case "decrypt": d = EnvelopedOps.decrypt(o); break;
                case "compress": d = OtherOps.compress(o); break;
                case "decompress": d = OtherOps.decompress(o); break;
                case "edata-encrypt": d = OtherOps.edataEncrypt(o); break;
                case "edata-decrypt": d = OtherOps.edataDecrypt(o); break;
                case "digest": d = OtherOps.digest(o); break;
                case "undigest": d = OtherOps.undigest(o); break;
                default: throw new IllegalArgumentException("unknown op " + op);
            }
            return "OK\t" + d;
        } catch (Unsupported e) {
            return "UNSUPPORTED\t" + oneLine(e.getMessage());
        } catch (Throwable e) {
            if (isUnknownAlgorithm(e)) {
                return "UNSUPPORTED\t" + describe(e);
            }
            return "FAIL\t" + describe(e);
        }
    }
}
