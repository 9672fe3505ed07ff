// Enveloped ops of the Bouncy Castle peer (tests/interop/bc.sh); see CachetPeer.java.
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import javax.mail.internet.MimeMessage;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSAuthEnvelopedData;
import org.bouncycastle.cms.CMSAuthEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSEnvelopedDataStreamGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.KEKRecipientInformation;
import org.bouncycastle.cms.KeyAgreeRecipientInformation;
import org.bouncycastle.cms.KeyTransRecipientInformation;
import org.bouncycastle.cms.PasswordRecipient;
import org.bouncycastle.cms.PasswordRecipientInformation;
import org.bouncycastle.cms.Recipient;
import org.bouncycastle.cms.RecipientInfoGenerator;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.RecipientInformationStore;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKEKEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKEKRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceKeyAgreeEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyAgreeRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceKeyTransAuthEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JcePasswordEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JcePasswordRecipientInfoGenerator;
import org.bouncycastle.mail.smime.SMIMEEnveloped;
import org.bouncycastle.mail.smime.SMIMEEnvelopedGenerator;
import org.bouncycastle.operator.OutputAEADEncryptor;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.util.encoders.Hex;

/** EnvelopedData and AuthEnvelopedData: every RecipientInfo kind BC has, both ways. */
final class EnvelopedOps extends PeerBase {

    static ASN1ObjectIdentifier cipherOid(String c) throws Unsupported {
        switch (c) {
            case "aes-128-cbc": return CMSAlgorithm.AES128_CBC;
            case "aes-192-cbc": return CMSAlgorithm.AES192_CBC;
            case "aes-256-cbc": return CMSAlgorithm.AES256_CBC;
            case "aes-128-gcm": return CMSAlgorithm.AES128_GCM;
            case "aes-192-gcm": return CMSAlgorithm.AES192_GCM;
            case "aes-256-gcm": return CMSAlgorithm.AES256_GCM;
            case "aes-128-ccm": return CMSAlgorithm.AES128_CCM;
            case "aes-192-ccm": return CMSAlgorithm.AES192_CCM;
            case "aes-256-ccm": return CMSAlgorithm.AES256_CCM;
            // RFC 8103 id-alg-AEADChaCha20Poly1305; BC 1.72's CMSAlgorithm has no constant.
            case "chacha20-poly1305": return new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.3.18");
            // Legacy ciphers (what old mail clients wrote; cachet reads them with --allow-legacy).
            case "des-ede3-cbc": return CMSAlgorithm.DES_EDE3_CBC;
            case "des-cbc": return CMSAlgorithm.DES_CBC;
            case "rc2-40-cbc":
            case "rc2-64-cbc":
            case "rc2-128-cbc": return CMSAlgorithm.RC2_CBC;
            case "cast5-cbc": return CMSAlgorithm.CAST5_CBC;
            case "idea-cbc": return CMSAlgorithm.IDEA_CBC;
            case "seed-cbc": return CMSAlgorithm.SEED_CBC;
            case "camellia-128-cbc": return CMSAlgorithm.CAMELLIA128_CBC;
            case "camellia-192-cbc": return CMSAlgorithm.CAMELLIA192_CBC;
            case "camellia-256-cbc": return CMSAlgorithm.CAMELLIA256_CBC;
            default: throw new Unsupported("cipher " + c);
        }
    }

    static boolean isAead(String c) {
        return c.endsWith("gcm") || c.endsWith("ccm") || c.startsWith("chacha");
    }

    static ASN1ObjectIdentifier kdfOid(String kdf) throws Unsupported {
        switch (kdf) {
            case "sha1kdf": return CMSAlgorithm.ECDH_SHA1KDF;
            case "sha224kdf": return CMSAlgorithm.ECDH_SHA224KDF;
            case "sha256kdf": return CMSAlgorithm.ECDH_SHA256KDF;
            case "sha384kdf": return CMSAlgorithm.ECDH_SHA384KDF;
            case "sha512kdf": return CMSAlgorithm.ECDH_SHA512KDF;
            default: throw new Unsupported("key agreement KDF " + kdf);
        }
    }

    static ASN1ObjectIdentifier wrapFor(ASN1ObjectIdentifier kdf, PublicKey pk) {
        if (pk instanceof ECPublicKey) {
            int bits = ((ECPublicKey) pk).getParams().getCurve().getField().getFieldSize();
            return bits > 256 ? CMSAlgorithm.AES256_WRAP : CMSAlgorithm.AES128_WRAP;
        }
        return pk.getAlgorithm().contains("448") ? CMSAlgorithm.AES256_WRAP : CMSAlgorithm.AES128_WRAP;
    }

    static List<RecipientInfoGenerator> recipients(Opts o) throws Exception {
        List<RecipientInfoGenerator> r = new ArrayList<>();
        boolean byKeyId = o.opt("rid", "issuer").equals("skid");
        for (String spec : o.all("to")) {
            int i = spec.indexOf(':');
            String kind = spec.substring(0, i), arg = spec.substring(i + 1);
            switch (kind) {
                case "rsa": {
                    X509Certificate c = cert(arg);
                    r.add((byKeyId ? new JceKeyTransRecipientInfoGenerator(skid(c), c.getPublicKey())
                            : new JceKeyTransRecipientInfoGenerator(c)).setProvider(BC));
                    break;
                }
                case "oaep-sha1":
                case "oaep-sha256": {
                    OAEPParameterSpec ps = kind.equals("oaep-sha1") ? OAEPParameterSpec.DEFAULT
                            : new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
                    AlgorithmIdentifier ai = new org.bouncycastle.operator.jcajce.JcaAlgorithmParametersConverter()
                            .getAlgorithmIdentifier(PKCSObjectIdentifiers.id_RSAES_OAEP, ps);
                    X509Certificate c = cert(arg);
                    r.add((byKeyId ? new JceKeyTransRecipientInfoGenerator(skid(c), ai, c.getPublicKey())
                            : new JceKeyTransRecipientInfoGenerator(c, ai)).setProvider(BC));
                    break;
                }
                case "kek": {
                    String[] p = arg.split(":");
                    byte[] k = Hex.decode(p[0]);
                    r.add(new JceKEKRecipientInfoGenerator(Hex.decode(p[1]), new SecretKeySpec(k, "AES")).setProvider(BC));
                    break;
                }
                case "pwd": {
                    String[] p = arg.split(":");
                    PasswordRecipient.PRF prf;
                    switch (p[2]) {
                        case "sha1": prf = PasswordRecipient.PRF.HMacSHA1; break;
                        case "sha256": prf = PasswordRecipient.PRF.HMacSHA256; break;
                        case "sha512": prf = PasswordRecipient.PRF.HMacSHA512; break;
                        default: throw new Unsupported("PBKDF2 PRF " + p[2]);
                    }
                    byte[] salt = new byte[16];
                    RNG.nextBytes(salt);
                    r.add(new JcePasswordRecipientInfoGenerator(CMSAlgorithm.AES256_CBC, p[0].toCharArray())
                            .setProvider(BC).setPasswordConversionScheme(PasswordRecipient.PKCS5_SCHEME2_UTF8)
                            .setPRF(prf).setSaltAndIterationCount(salt, Integer.parseInt(p[1])));
                    break;
                }
                default: {
                    if (!kind.startsWith("ecdh-")) {
                        throw new IllegalArgumentException("unknown recipient kind " + kind);
                    }
                    boolean ukm = kind.endsWith("+ukm");
                    ASN1ObjectIdentifier kdf = kdfOid(kind.substring(5, ukm ? kind.length() - 4 : kind.length()));
                    X509Certificate c = cert(arg);
                    PublicKey pk = c.getPublicKey();
                    KeyPair eph;
                    try {
                        KeyPairGenerator g;
                        if (pk instanceof ECPublicKey) {
                            g = KeyPairGenerator.getInstance("EC", BC);
                            g.initialize(((ECPublicKey) pk).getParams(), RNG);
                        } else {
                            g = KeyPairGenerator.getInstance(pk.getAlgorithm(), BC);
                        }
                        eph = g.generateKeyPair();
                    } catch (GeneralSecurityException e) {
                        throw new Unsupported("ephemeral key for " + pk.getAlgorithm() + ": " + describe(e));
                    }
                    JceKeyAgreeRecipientInfoGenerator g = new JceKeyAgreeRecipientInfoGenerator(kdf, eph.getPrivate(),
                            eph.getPublic(), wrapFor(kdf, pk));
                    if (ukm) {
                        byte[] u = new byte[64];
                        RNG.nextBytes(u);
                        g.setUserKeyingMaterial(u);
                    }
                    if (byKeyId) {
                        g.addRecipient(skid(c), pk);
                    } else {
                        g.addRecipient(c);
                    }
                    r.add(g.setProvider(BC));
                }
            }
        }
        return r;
    }

    static String encrypt(Opts o) throws Exception {
        String form = o.get("form");
        String cipher = o.get("cipher");
        ASN1ObjectIdentifier coid = cipherOid(cipher);
        OutputEncryptor enc;
        try {
            // RC2's effective key bits come from the name (rc2-40-cbc: S/MIME v2's export grade).
            enc = (cipher.startsWith("rc2-") ? new JceCMSContentEncryptorBuilder(coid,
                    Integer.parseInt(cipher.substring(4, cipher.length() - 4)))
                    : new JceCMSContentEncryptorBuilder(coid)).setProvider(BC).build();
        } catch (Exception e) {
            throw new Unsupported("content cipher " + cipher + ": " + describe(e));
        }
        List<RecipientInfoGenerator> ris = recipients(o);
        try {
            encryptTo(o, form, cipher, enc, ris);
        } catch (Exception e) {
            if (xdhRecipient(o) && !(e instanceof Unsupported)) {
                // BC 1.72's CMS key agreement runs the EC KeyAgreement on every kari.
                throw new Unsupported("X25519/X448 key agreement in CMS: " + describe(e));
            }
            throw e;
        }
        return "cipher=" + coid.getId() + " " + selfDecrypt(o, form);
    }

    static boolean xdhRecipient(Opts o) throws Exception {
        for (String spec : o.all("to")) {
            if (spec.startsWith("ecdh-")) {
                String a = cert(spec.substring(spec.indexOf(':') + 1)).getPublicKey().getAlgorithm();
                if (a.equals("XDH") || a.startsWith("X25519") || a.startsWith("X448")) {
                    return true;
                }
            }
        }
        return false;
    }

    static void encryptTo(Opts o, String form, String cipher, OutputEncryptor enc, List<RecipientInfoGenerator> ris)
            throws Exception {
        byte[] in = read(o.get("in"));
        String from = o.opt("from", "alice@example.com");
        byte[] out;
        if (isAead(cipher)) {
            if (!(enc instanceof OutputAEADEncryptor)) {
                throw new Unsupported(cipher + " is not an AEAD cipher for BC's AuthEnvelopedData");
            }
            CMSAuthEnvelopedDataGenerator g = new CMSAuthEnvelopedDataGenerator();
            for (RecipientInfoGenerator r : ris) {
                g.addRecipientInfoGenerator(r);
            }
            byte[] der = g.generate(new CMSProcessableByteArray(in), (OutputAEADEncryptor) enc).getEncoded();
            switch (form) {
                case "der": out = der; break;
                case "pem": out = pem(der); break;
                case "smime": out = wrapCms(from, "authEnveloped-data", der); break;
                default: throw new IllegalArgumentException("encrypt: unknown form " + form);
            }
        } else {
            switch (form) {
                case "smime": {
                    SMIMEEnvelopedGenerator g = new SMIMEEnvelopedGenerator();
                    for (RecipientInfoGenerator r : ris) {
                        g.addRecipientInfoGenerator(r);
                    }
                    out = wrapPart(from, g.generate(entity(o.get("in")), enc));
                    break;
                }
                case "der":
                case "pem": {
                    CMSEnvelopedDataGenerator g = new CMSEnvelopedDataGenerator();
                    for (RecipientInfoGenerator r : ris) {
                        g.addRecipientInfoGenerator(r);
                    }
                    out = g.generate(new CMSProcessableByteArray(in), enc).getEncoded();
                    if (form.equals("pem")) {
                        out = pem(out);
                    }
                    break;
                }
                case "der-stream": {
                    CMSEnvelopedDataStreamGenerator g = new CMSEnvelopedDataStreamGenerator();
                    for (RecipientInfoGenerator r : ris) {
                        g.addRecipientInfoGenerator(r);
                    }
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    try (OutputStream s = g.open(b, enc)) {
                        s.write(in);
                    }
                    out = b.toByteArray();
                    break;
                }
                default:
                    throw new IllegalArgumentException("encrypt: unknown form " + form);
            }
        }
        write(o.get("out"), out);
    }

    /** Reads an encrypt job's output back with the first recipient's secret, when known. */
    static String selfDecrypt(Opts o, String form) throws Exception {
        String self = "self=skipped";
        List<String> back = new ArrayList<>(List.of("--form", form.equals("der-stream") ? "der" : form,
                "--in", o.get("out"), "--out", o.get("out") + ".self"));
        String first = o.all("to").get(0);
        if (first.startsWith("kek:")) {
            back.addAll(List.of("--kek", first.substring(4)));
        } else if (first.startsWith("pwd:")) {
            back.addAll(List.of("--password", first.substring(4).split(":")[0]));
        } else if (o.m.containsKey("self-key")) {
            back.addAll(List.of("--cert", first.substring(first.indexOf(':') + 1), "--key", o.get("self-key")));
        }
        if (back.size() > 6) {
            try {
                decrypt(new Opts(back));
                self = "self=ok";
            } catch (Exception e) {
                self = "self=fail:" + describe(e).replace(' ', '_');
            }
        }
        return self;
    }

    @SuppressWarnings("unchecked")
    static String decrypt(Opts o) throws Exception {
        String form = o.get("form");
        byte[] der;
        boolean smime = form.startsWith("smime");
        SMIMEEnveloped env = null;
        if (smime) {
            MimeMessage m = message(o.get("in"));
            String ct = m.getContentType().toLowerCase();
            if (!ct.contains("pkcs7-mime")) {
                throw new IllegalArgumentException("expected application/pkcs7-mime, got " + ct);
            }
            if (ct.contains("enveloped-data") && !ct.contains("authenveloped-data")) {
                env = new SMIMEEnveloped(m);
                der = env.getEncoded();
            } else {
                der = cmsOfMessage(m);
            }
        } else if (form.equals("pem")) {
            der = unpem(read(o.get("in")));
        } else {
            der = read(o.get("in"));
        }
        ContentInfo ci = ContentInfo.getInstance(der);
        RecipientInformationStore ris;
        String type, coid;
        boolean auth = ci.getContentType().equals(PKCSObjectIdentifiers.id_ct_authEnvelopedData);
        if (auth) {
            CMSAuthEnvelopedData a = new CMSAuthEnvelopedData(der);
            ris = a.getRecipientInfos();
            type = "authEnveloped";
            coid = org.bouncycastle.asn1.cms.AuthEnvelopedData.getInstance(ci.getContent())
                    .getAuthEncryptedContentInfo().getContentEncryptionAlgorithm().getAlgorithm().getId();
        } else {
            CMSEnvelopedData e = env != null ? env : new CMSEnvelopedData(der);
            ris = e.getRecipientInfos();
            type = "enveloped";
            coid = e.getEncryptionAlgOID();
        }
        RecipientInformation chosen = null;
        Recipient rcpt = null;
        String km = null;
        if (o.m.containsKey("key")) {
            X509Certificate c = cert(o.get("cert"));
            PrivateKey k = key(o.get("key"));
            for (RecipientInformation ri : ris.getRecipients()) {
                if (ri instanceof KeyTransRecipientInformation && ri.getRID().match(new X509CertificateHolder(c.getEncoded()))) {
                    chosen = ri;
                    rcpt = auth ? new JceKeyTransAuthEnvelopedRecipient(k).setProvider(BC)
                            : new JceKeyTransEnvelopedRecipient(k).setProvider(BC);
                    break;
                }
                if (ri instanceof KeyAgreeRecipientInformation) {
                    KeyAgreeRecipientInformation ka = (KeyAgreeRecipientInformation) ri;
                    if (ka.getRID().match(new X509CertificateHolder(c.getEncoded()))) {
                        chosen = ri;
                        rcpt = new JceKeyAgreeEnvelopedRecipient(k).setProvider(BC);
                        break;
                    }
                }
            }
        } else if (o.m.containsKey("kek")) {
            String[] p = o.get("kek").split(":");
            for (RecipientInformation ri : ris.getRecipients()) {
                if (ri instanceof KEKRecipientInformation && ri.getRID().match(Hex.decode(p[1]))) {
                    chosen = ri;
                    rcpt = new JceKEKEnvelopedRecipient(new SecretKeySpec(Hex.decode(p[0]), "AES")).setProvider(BC);
                    break;
                }
            }
        } else if (o.m.containsKey("password")) {
            for (RecipientInformation ri : ris.getRecipients()) {
                if (ri instanceof PasswordRecipientInformation) {
                    chosen = ri;
                    rcpt = new JcePasswordEnvelopedRecipient(o.get("password").toCharArray()).setProvider(BC)
                            .setPasswordConversionScheme(PasswordRecipient.PKCS5_SCHEME2_UTF8);
                    break;
                }
            }
        } else {
            throw new IllegalArgumentException("decrypt needs --cert/--key, --kek or --password");
        }
        if (chosen == null) {
            throw new IllegalArgumentException("no RecipientInfo for our secret among " + ris.size());
        }
        km = chosen.getKeyEncryptionAlgOID();
        byte[] plain = chosen.getContent(rcpt);
        write(o.get("out"), plain);
        return "type=" + type + " cipher=" + coid + " km=" + km + " ris=" + ris.size();
    }
}
