// Shared helpers of the Bouncy Castle peer (tests/interop/bc.sh); see CachetPeer.java.
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.mail.Session;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.encoders.Base64;

/** What every part of the peer shares: options, errors, keys, files and MIME framing. */
abstract class PeerBase {
    static final String BC = "BC";
    static final SecureRandom RNG = new SecureRandom();
    static final Session SESSION = Session.getInstance(new Properties());

    /** BC cannot do it: the result is "not supported by peer", not a failure. */
    static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String m) {
            super(m);
        }
    }

    /** Options of one job: --name value, --to may repeat. */
    static final class Opts {
        final Map<String, List<String>> m = new HashMap<>();

        Opts(List<String> a) throws Exception {
            for (int i = 0; i < a.size(); i += 2) {
                if (!a.get(i).startsWith("--") || i + 1 >= a.size()) {
                    throw new IllegalArgumentException("bad option list at '" + a.get(i) + "'");
                }
                m.computeIfAbsent(a.get(i).substring(2), k -> new ArrayList<>()).add(a.get(i + 1));
            }
        }

        String get(String k) {
            List<String> v = m.get(k);
            if (v == null) {
                throw new IllegalArgumentException("missing --" + k);
            }
            return v.get(0);
        }

        String opt(String k, String def) {
            List<String> v = m.get(k);
            return v == null ? def : v.get(0);
        }

        List<String> all(String k) {
            return m.getOrDefault(k, Collections.emptyList());
        }
    }

    /** BC's ways of saying it does not know an algorithm. Narrow on purpose: a parse error
     *  ("unknown tag", ...) on a broken message must stay a failure. */
    static boolean isUnknownAlgorithm(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof NoSuchAlgorithmException) {
                return true;
            }
            String m = c.getMessage() == null ? "" : c.getMessage().toLowerCase();
            if (m.contains("no such algorithm") || m.contains("unknown algorithm")
                    || m.contains("algorithm not supported") || m.contains("unsupported algorithm")) {
                return true;
            }
        }
        return false;
    }

    static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = e; c != null && b.length() < 400; c = c.getCause()) {
            if (b.length() > 0) {
                b.append(" <- ");
            }
            b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
        }
        return oneLine(b.toString());
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\t\\r\\n]+", " ");
    }

    // ---------------------------------------------------------------- keys and files

    static byte[] read(String f) throws IOException {
        return Files.readAllBytes(Paths.get(f));
    }

    static void write(String f, byte[] d) throws IOException {
        Files.write(Paths.get(f), d);
    }

    static X509CertificateHolder certHolder(String f) throws Exception {
        try (PEMParser p = new PEMParser(new FileReader(f))) {
            Object o = p.readObject();
            if (!(o instanceof X509CertificateHolder)) {
                throw new IllegalArgumentException(f + ": not a PEM certificate");
            }
            return (X509CertificateHolder) o;
        }
    }

    static X509Certificate cert(String f) throws Exception {
        return new JcaX509CertificateConverter().setProvider(BC).getCertificate(certHolder(f));
    }

    /** The certificate's subjectKeyIdentifier extension (what a keyid SID/RID must match). */
    static byte[] skid(X509Certificate c) throws Exception {
        X509CertificateHolder h = new X509CertificateHolder(c.getEncoded());
        return SubjectKeyIdentifier.fromExtensions(h.getExtensions()).getKeyIdentifier();
    }

    static PrivateKey key(String f) throws Exception {
        try (PEMParser p = new PEMParser(new FileReader(f))) {
            Object o = p.readObject();
            if (!(o instanceof PrivateKeyInfo)) {
                throw new IllegalArgumentException(f + ": not a PKCS#8 PEM private key");
            }
            return new JcaPEMKeyConverter().setProvider(BC).getPrivateKey((PrivateKeyInfo) o);
        }
    }

    /** A MIME entity from a file (headers, blank line, body), as JavaMail parses it. */
    static MimeBodyPart entity(String f) throws Exception {
        return new MimeBodyPart(new ByteArrayInputStream(read(f)));
    }

    static MimeMessage message(String f) throws Exception {
        return new MimeMessage(SESSION, new ByteArrayInputStream(read(f)));
    }

    static byte[] bytesOf(MimeBodyPart p) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        p.writeTo(b);
        return b.toByteArray();
    }

    /** The top-level headers of a message around a generated part (CRLF). */
    static byte[] wrapPart(String from, MimeBodyPart part) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(headers(from).getBytes(StandardCharsets.US_ASCII));
        part.writeTo(b);
        return b.toByteArray();
    }

    static String headers(String from) {
        return "From: " + from + "\r\nTo: bob@example.com\r\nSubject: bc interop\r\n"
                + "Date: Wed, 25 Nov 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\n";
    }

    /** application/pkcs7-mime around a DER CMS object, written by hand where bcmail has no
     *  generator (AuthEnvelopedData in BC 1.72). */
    static byte[] wrapCms(String from, String smimeType, byte[] der) {
        StringBuilder s = new StringBuilder(headers(from));
        s.append("Content-Type: application/pkcs7-mime");
        if (smimeType != null) {
            s.append("; smime-type=").append(smimeType);
        }
        s.append("; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n")
                .append("Content-Disposition: attachment; filename=smime.p7m\r\n\r\n");
        String b64 = Base64.toBase64String(der);
        for (int i = 0; i < b64.length(); i += 76) {
            s.append(b64, i, Math.min(b64.length(), i + 76)).append("\r\n");
        }
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The decoded CMS object of an application/pkcs7-mime message. */
    static byte[] cmsOfMessage(MimeMessage m) throws Exception {
        try (InputStream in = m.getInputStream()) {
            return in.readAllBytes();
        }
    }

    /** PEM as BC's JcaPEMWriter writes a ContentInfo ("-----BEGIN PKCS7-----"). */
    static byte[] pem(byte[] der) throws Exception {
        java.io.StringWriter sw = new java.io.StringWriter();
        try (org.bouncycastle.openssl.jcajce.JcaPEMWriter w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(sw)) {
            w.writeObject(ContentInfo.getInstance(der));
        }
        return sw.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The DER of a PEM file (any label). */
    static byte[] unpem(byte[] pem) throws Exception {
        try (PEMParser p = new PEMParser(new java.io.StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            return ((ContentInfo) p.readObject()).getEncoded("DER");
        }
    }

    static String oid(AlgorithmIdentifier a) {
        return a.getAlgorithm().getId();
    }
}
